-- statement 1: branch 0, result columns [1 2 3], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."jr_o0" AS "c2"
FROM (SELECT "t0"."id", "t0"."name", COALESCE("t3"."v", 0) AS "jr_o0"
  FROM "p_customers" AS "t0"
  LEFT JOIN (SELECT "t1"."customer_id" AS "k0", COUNT(*) AS "v"
    FROM ("p_purchases" AS "t1" INNER JOIN "p_products" AS "t2" ON "t2"."id" = "t1"."product_id")
    GROUP BY "t1"."customer_id") AS "t3" ON "t3"."k0" = "t0"."id"
  ORDER BY "jr_o0" DESC, "t0"."id"
  LIMIT $1) AS "t0"
ORDER BY "t0"."jr_o0" DESC, "t0"."id"
-- arg 1: 0x5
