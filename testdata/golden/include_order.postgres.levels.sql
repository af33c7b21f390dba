-- statement 1: branch 0, result columns [1 2 3], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2"
FROM "users" AS "t0"
WHERE "t0"."id" = $1
-- arg 1: 1
-- statement 2: branch 1, result columns [4 5 6 7], no keys
SELECT "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6"
FROM "posts" AS "t1"
WHERE "t1"."user_id" = ANY(ARRAY(SELECT "t0"."id"
  FROM "users" AS "t0"
  WHERE "t0"."id" = $1))
ORDER BY "t1"."id" DESC
-- arg 1: 1
