SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6", "t2"."id" AS "c7", "t2"."body" AS "c8"
FROM "users" AS "t0"
LEFT JOIN ("posts" AS "t1" INNER JOIN "comments" AS "t2" ON "t2"."post_id" = "t1"."id") ON "t1"."user_id" = "t0"."id"
ORDER BY "t0"."id", "t1"."id", "t2"."id"
