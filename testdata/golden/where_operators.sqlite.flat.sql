SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6"
FROM "users" AS "t0"
LEFT JOIN "posts" AS "t1" ON "t1"."user_id" = "t0"."id" AND (LENGTH("t1".title) > ?) AND "t1"."id" >= ?
WHERE ("t0"."name" = ? OR LOWER("t0"."name") LIKE LOWER(?))
ORDER BY "t0"."id", "t1"."id"
-- arg 1: 5
-- arg 2: 10
-- arg 3: "alice"
-- arg 4: "BO%"
