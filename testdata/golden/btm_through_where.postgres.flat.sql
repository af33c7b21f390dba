SELECT "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t2"."id" AS "c3", "t2"."name" AS "c4", "t1"."role" AS "c5"
FROM "users" AS "t0"
LEFT JOIN ("user_projects" AS "t1" INNER JOIN "projects" AS "t2" ON "t2"."id" = "t1"."project_id") ON "t1"."user_id" = "t0"."id" AND "t1"."role" = $1
ORDER BY "t0"."id"
-- arg 1: "member"
