-- statement 1: branch 0, result columns [1 2 3 4], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", (("t0".id * $1)) AS "c3"
FROM "users" AS "t0"
ORDER BY (("t0".id * $1)) DESC, "t0"."id"
-- arg 1: 10
-- statement 2: branch 1, result columns [5 6 7 8], no keys
SELECT "t1"."id" AS "c4", "t1"."user_id" AS "c5", "t1"."title" AS "c6", "t1"."published" AS "c7"
FROM "posts" AS "t1"
WHERE "t1"."user_id" IN (SELECT "t0"."id"
  FROM "users" AS "t0")
ORDER BY "t1"."id"
-- statement 3: branch 2, result columns [9 10 11 12], keys: result columns [6] of statement 2, into arguments [0]
SELECT "t2"."id" AS "c8", "t2"."name" AS "c9", "t2"."email" AS "c10", CASE WHEN "t2"."id" IS NOT NULL THEN (SELECT COUNT(*)
  FROM "posts" AS "t3"
  WHERE "t3"."user_id" = "t2"."id") END AS "c11"
FROM "users" AS "t2"
WHERE "t2"."id" = ANY($1)
-- arg 1: builder.LevelKeys{Path:"Posts.author", Column:"id"}
