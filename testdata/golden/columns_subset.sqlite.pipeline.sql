-- statement 1: branch 0, result columns [1 2]
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1"
FROM "users" AS "t0"
ORDER BY "t0"."id", CASE WHEN EXISTS (SELECT 1
  FROM (SELECT 1) AS "jr_one"
  LEFT JOIN "posts" AS "t1" ON "t1"."user_id" = "t0"."id"
  WHERE "t1"."id" IS NULL) THEN NULL ELSE (SELECT MIN("t1"."id")
  FROM "posts" AS "t1"
  WHERE "t1"."user_id" = "t0"."id") END
-- statement 2: branch 1, result columns [3 4 5]
SELECT "t1"."id" AS "c2", "t1"."title" AS "c3", "t1"."user_id" AS "c4"
FROM "posts" AS "t1"
WHERE "t1"."user_id" IN (SELECT "t0"."id"
  FROM "users" AS "t0")
ORDER BY "t1"."id"
