SELECT -1 AS "jb", CAST(NULL AS BIGINT) AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t2"."id" AS "c3", "t2"."name" AS "c4", "t1"."user_id" AS "c5", "t1"."project_id" AS "c6", "t1"."role" AS "c7"
FROM "users" AS "t0" CROSS JOIN "user_projects" AS "t1" CROSS JOIN "projects" AS "t2"
WHERE 1 = 0
UNION ALL
SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7"
FROM "users" AS "t0"
UNION ALL
SELECT 1 AS "jb", ROW_NUMBER() OVER (ORDER BY "t2"."id") AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", "t2"."id" AS "c3", "t2"."name" AS "c4", "t1"."user_id" AS "c5", "t1"."project_id" AS "c6", "t1"."role" AS "c7"
FROM ("user_projects" AS "t1" INNER JOIN "projects" AS "t2" ON "t2"."id" = "t1"."project_id")
WHERE "t1"."user_id" IN (SELECT "t0"."id"
  FROM "users" AS "t0")
