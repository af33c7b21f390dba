SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6"
FROM "users" AS "t0"
INNER JOIN "posts" AS "t1" ON "t1"."user_id" = "t0"."id" AND "t1"."title" LIKE ?
ORDER BY "t0"."id"
-- arg 1: "b%"
