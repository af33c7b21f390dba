-- statement 1: branch 0, result columns [1 2], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1"
FROM "users" AS "t0"
ORDER BY "t0"."id"
-- statement 2: branch 1, result columns [3 4 5], no keys
SELECT "t1"."id" AS "c2", "t1"."title" AS "c3", "t1"."user_id" AS "c4"
FROM "posts" AS "t1"
WHERE "t1"."user_id" IN (SELECT "t0"."id"
  FROM "users" AS "t0")
ORDER BY "t1"."id"
