SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."user_email" AS "c1", "t0"."amount" AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5"
FROM "invoices" AS "t0"
UNION ALL
SELECT 1 AS "jb", NULL AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", "t1"."id" AS "c3", "t1"."name" AS "c4", "t1"."email" AS "c5"
FROM "users" AS "t1"
WHERE "t1"."email" IN (SELECT "t0"."user_email"
  FROM "invoices" AS "t0")
