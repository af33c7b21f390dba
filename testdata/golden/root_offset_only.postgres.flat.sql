SELECT "t0"."id" AS "c0", "t0"."user_id" AS "c1", "t0"."title" AS "c2", "t0"."published" AS "c3", "t1"."id" AS "c4", "t1"."name" AS "c5", "t1"."email" AS "c6"
FROM "posts" AS "t0"
LEFT JOIN "users" AS "t1" ON "t1"."id" = "t0"."user_id"
ORDER BY "t0"."id"
OFFSET $1
-- arg 1: 0x2
