SELECT -1 AS "jb", CAST(NULL AS BIGINT) AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t2"."id" AS "c2", "t2"."name" AS "c3", "t1"."id" AS "c4", "t1"."customer_id" AS "c5", "t1"."product_id" AS "c6", "t1"."quantity" AS "c7", "t1"."id" AS "c8"
FROM "p_customers" AS "t0" CROSS JOIN "p_purchases" AS "t1" CROSS JOIN "p_products" AS "t2"
WHERE 1 = 0
UNION ALL
SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", NULL AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7", NULL AS "c8"
FROM "p_customers" AS "t0"
UNION ALL
SELECT 1 AS "jb", ROW_NUMBER() OVER (ORDER BY "t1"."id") AS "jo", NULL AS "c0", NULL AS "c1", "t2"."id" AS "c2", "t2"."name" AS "c3", "t1"."id" AS "c4", "t1"."customer_id" AS "c5", "t1"."product_id" AS "c6", "t1"."quantity" AS "c7", "t1"."id" AS "c8"
FROM ("p_purchases" AS "t1" INNER JOIN "p_products" AS "t2" ON "t2"."id" = "t1"."product_id")
WHERE "t1"."customer_id" IN (SELECT "t0"."id"
  FROM "p_customers" AS "t0")
