SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", (SELECT COUNT(*)
  FROM "posts" AS "t2"
  WHERE "t2"."user_id" = "t0"."id" AND "t2"."published" = $1) AS "c3", "t1"."id" AS "c4", "t1"."user_id" AS "c5", "t1"."title" AS "c6", "t1"."published" AS "c7"
FROM "users" AS "t0"
LEFT JOIN "posts" AS "t1" ON "t1"."user_id" = "t0"."id"
WHERE (SELECT COUNT(*) FROM "posts" AS "t2" WHERE "t2"."user_id" = "t0"."id" AND "t2"."published" = $2) >= $3
ORDER BY "t0"."id", "t1"."id"
-- arg 1: true
-- arg 2: true
-- arg 3: 1
