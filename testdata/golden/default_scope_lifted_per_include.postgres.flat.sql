SELECT "t0"."id" AS "c0", "t0"."title" AS "c1", "t1"."id" AS "c2", "t1"."commentable" AS "c3", "t1"."commentable_id" AS "c4", "t1"."body" AS "c5", "t1"."deleted_at" AS "c6"
FROM "p_posts" AS "t0"
LEFT JOIN "p_comments" AS "t1" ON "t1"."commentable_id" = "t0"."id" AND "t1"."commentable" = $1
ORDER BY "t0"."id", "t1"."id"
-- arg 1: "post"
