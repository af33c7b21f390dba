-- statement 1: branch 0, result columns [1 2], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1"
FROM "p_customers" AS "t0"
ORDER BY "t0"."id"
-- statement 2: branch 1, result columns [3 4 5 6 7 8 9], no keys
SELECT "t2"."id" AS "c2", "t2"."name" AS "c3", "t1"."id" AS "c4", "t1"."customer_id" AS "c5", "t1"."product_id" AS "c6", "t1"."quantity" AS "c7", "t1"."id" AS "c8"
FROM ("p_purchases" AS "t1" INNER JOIN "p_products" AS "t2" ON "t2"."id" = "t1"."product_id")
WHERE "t1"."customer_id" IN (SELECT "t0"."id"
  FROM "p_customers" AS "t0")
ORDER BY "t1"."id"
