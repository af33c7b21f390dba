-- statement 1: branch 0, result columns [1 2 3 4 5 10 11], no keys
SELECT "t0"."id" AS "c0", "t0"."commentable" AS "c1", "t0"."commentable_id" AS "c2", "t0"."body" AS "c3", "t0"."deleted_at" AS "c4", CASE WHEN "t0"."commentable" = $1 THEN "t0"."commentable_id" END AS "c9", CASE WHEN "t0"."commentable" = $2 THEN "t0"."commentable_id" END AS "c10"
FROM "p_comments" AS "t0"
WHERE "t0"."deleted_at" IS NULL
ORDER BY "t0"."id"
-- arg 1: "post"
-- arg 2: "image"
-- statement 2: branch 1, result columns [6 7], keys: result columns [10] of statement 1, into arguments [0]
SELECT "t1"."id" AS "c5", "t1"."title" AS "c6"
FROM "p_posts" AS "t1"
WHERE "t1"."id" = ANY($1)
-- arg 1: builder.LevelKeys{Path:"post", Column:"id"}
-- statement 3: branch 2, result columns [8 9], keys: result columns [11] of statement 1, into arguments [0]
SELECT "t2"."id" AS "c7", "t2"."url" AS "c8"
FROM "p_images" AS "t2"
WHERE "t2"."id" = ANY($1)
-- arg 1: builder.LevelKeys{Path:"image", Column:"id"}
