SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."bio" AS "c5"
FROM "users" AS "t0"
LEFT JOIN "profiles" AS "t1" ON "t1"."user_id" = "t0"."id"
ORDER BY "t0"."id"
