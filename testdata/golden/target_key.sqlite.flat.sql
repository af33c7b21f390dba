SELECT "t0"."id" AS "c0", "t0"."user_email" AS "c1", "t0"."amount" AS "c2", "t1"."id" AS "c3", "t1"."name" AS "c4", "t1"."email" AS "c5"
FROM "invoices" AS "t0"
LEFT JOIN "users" AS "t1" ON "t1"."email" = "t0"."user_email"
ORDER BY "t0"."id"
