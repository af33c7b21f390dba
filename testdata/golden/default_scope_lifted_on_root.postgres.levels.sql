-- statement 1: branch 0, result columns [1 2 3 4 5], no keys
SELECT "t0"."id" AS "c0", "t0"."commentable" AS "c1", "t0"."commentable_id" AS "c2", "t0"."body" AS "c3", "t0"."deleted_at" AS "c4"
FROM "p_comments" AS "t0"
WHERE "t0"."commentable" = $1
ORDER BY "t0"."id"
-- arg 1: "post"
