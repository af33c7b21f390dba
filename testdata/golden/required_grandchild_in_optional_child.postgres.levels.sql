-- statement 1: branch 0, result columns [1 2 3], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2"
FROM "users" AS "t0"
ORDER BY "t0"."id"
-- statement 2: branch 1, result columns [4 5 6 7], no keys
SELECT "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6"
FROM "posts" AS "t1"
WHERE "t1"."user_id" IN (SELECT "t0"."id"
  FROM "users" AS "t0") AND EXISTS (SELECT 1
  FROM "comments" AS "t2"
  WHERE "t2"."post_id" = "t1"."id")
ORDER BY "t1"."id"
-- statement 3: branch 2, result columns [8 9 10], keys: result columns [4] of statement 2, into arguments [0]
SELECT "t2"."id" AS "c7", "t2"."body" AS "c8", "t2"."post_id" AS "c9"
FROM "comments" AS "t2"
WHERE "t2"."post_id" = ANY($1)
ORDER BY "t2"."id"
-- arg 1: builder.LevelKeys{Path:"Posts.Comments", Column:"post_id"}
