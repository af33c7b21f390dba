SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", (("t0".id * $1)) AS "c3", "t1"."id" AS "c4", "t1"."user_id" AS "c5", "t1"."title" AS "c6", "t1"."published" AS "c7", "t2"."id" AS "c8", "t2"."name" AS "c9", "t2"."email" AS "c10", CASE WHEN "t2"."id" IS NOT NULL THEN (SELECT COUNT(*)
  FROM "posts" AS "t3"
  WHERE "t3"."user_id" = "t2"."id") END AS "c11"
FROM "users" AS "t0"
LEFT JOIN "posts" AS "t1" ON "t1"."user_id" = "t0"."id"
LEFT JOIN "users" AS "t2" ON "t2"."id" = "t1"."user_id"
ORDER BY (("t0".id * $1)) DESC, "t1"."id"
-- arg 1: 10
