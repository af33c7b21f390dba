SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6", "t2"."id" AS "c7", "t2"."post_id" AS "c8", "t2"."author_id" AS "c9", "t2"."body" AS "c10", "t3"."id" AS "c11", "t3"."name" AS "c12", "t3"."email" AS "c13"
FROM "users" AS "t0"
LEFT JOIN "posts" AS "t1" ON "t1"."user_id" = "t0"."id" AND "t1"."published" = $1
LEFT JOIN "comments" AS "t2" ON "t2"."post_id" = "t1"."id"
LEFT JOIN "users" AS "t3" ON "t3"."id" = "t2"."author_id"
ORDER BY "t0"."id", "t1"."id", "t2"."id"
-- arg 1: true
