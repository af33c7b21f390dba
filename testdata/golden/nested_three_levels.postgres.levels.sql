-- statement 1: branch 0, result columns [1 2 3], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2"
FROM "users" AS "t0"
ORDER BY "t0"."id"
-- statement 2: branch 1, result columns [4 5 6 7], no keys
SELECT "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6"
FROM "posts" AS "t1"
WHERE "t1"."user_id" IN (SELECT "t0"."id"
  FROM "users" AS "t0") AND "t1"."published" = $1
ORDER BY "t1"."id"
-- arg 1: true
-- statement 3: branch 2, result columns [8 9 10 11], keys: result columns [4] of statement 2, into arguments [0]
SELECT "t2"."id" AS "c7", "t2"."post_id" AS "c8", "t2"."author_id" AS "c9", "t2"."body" AS "c10"
FROM "comments" AS "t2"
WHERE "t2"."post_id" = ANY($1)
ORDER BY "t2"."id"
-- arg 1: builder.LevelKeys{Path:"Posts.Comments", Column:"post_id"}
-- statement 4: branch 3, result columns [12 13 14], keys: result columns [10] of statement 3, into arguments [0]
SELECT "t3"."id" AS "c11", "t3"."name" AS "c12", "t3"."email" AS "c13"
FROM "users" AS "t3"
WHERE "t3"."id" = ANY($1)
-- arg 1: builder.LevelKeys{Path:"Posts.Comments.author", Column:"id"}
