SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t1"."id" AS "c3", "t1"."user_email" AS "c4", "t1"."amount" AS "c5"
FROM "users" AS "t0"
LEFT JOIN "invoices" AS "t1" ON "t1"."user_email" = "t0"."email"
ORDER BY "t0"."id", "t1"."id"
