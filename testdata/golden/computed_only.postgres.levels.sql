-- statement 1: branch 0, result columns [1 2 3 4], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", (SELECT COUNT(*)
  FROM "posts" AS "t1"
  WHERE "t1"."user_id" = "t0"."id") AS "c3"
FROM "users" AS "t0"
ORDER BY (SELECT COUNT(*)
  FROM "posts" AS "t1"
  WHERE "t1"."user_id" = "t0"."id"), "t0"."id"
