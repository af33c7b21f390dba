-- statement 1: branch 0, result columns [1 2 3], no keys
SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2"
FROM "users" AS "t0"
ORDER BY "t0"."name" DESC, "t0"."id"
LIMIT $1
OFFSET $2
-- arg 1: 0x2
-- arg 2: 0x1
-- statement 2: branch 1, result columns [4 5 6 7], keys: result columns [1] of statement 1, into arguments [0]
SELECT "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6"
FROM "posts" AS "t1"
WHERE "t1"."user_id" = ANY($1)
ORDER BY "t1"."id"
-- arg 1: builder.LevelKeys{Path:"Posts", Column:"user_id"}
