-- statement 1: branch 0, result columns [1 2 3 4], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", (SELECT COUNT(*)
  FROM "posts" AS "t2"
  WHERE "t2"."user_id" = "t0"."id" AND "t2"."published" = $1) AS "c3"
FROM "users" AS "t0"
WHERE (SELECT COUNT(*) FROM "posts" AS "t2" WHERE "t2"."user_id" = "t0"."id" AND "t2"."published" = $2) >= $3
ORDER BY "t0"."id"
-- arg 1: true
-- arg 2: true
-- arg 3: 1
-- statement 2: branch 1, result columns [5 6 7 8], keys: result columns [1] of statement 1, into arguments [0]
SELECT "t1"."id" AS "c4", "t1"."user_id" AS "c5", "t1"."title" AS "c6", "t1"."published" AS "c7"
FROM "posts" AS "t1"
WHERE "t1"."user_id" = ANY($1)
ORDER BY "t1"."id"
-- arg 1: builder.LevelKeys{Path:"Posts", Column:"user_id"}
