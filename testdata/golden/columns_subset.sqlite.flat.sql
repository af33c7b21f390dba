SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t1"."id" AS "c2", "t1"."title" AS "c3"
FROM "users" AS "t0"
LEFT JOIN "posts" AS "t1" ON "t1"."user_id" = "t0"."id"
ORDER BY "t0"."id", "t1"."id"
