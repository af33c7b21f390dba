SELECT -1 AS "jb", CAST(NULL AS BIGINT) AS "jo", "t0"."user_id" AS "c0", "t0"."project_id" AS "c1", "t0"."role" AS "c2", "t1"."id" AS "c3", "t1"."name" AS "c4", "t2"."id" AS "c5", "t2"."name" AS "c6", "t2"."email" AS "c7"
FROM "user_projects" AS "t0" CROSS JOIN "projects" AS "t1" CROSS JOIN "users" AS "t2"
WHERE 1 = 0
UNION ALL
SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."user_id", "t0"."project_id") AS "jo", "t0"."user_id" AS "c0", "t0"."project_id" AS "c1", "t0"."role" AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7"
FROM "user_projects" AS "t0"
UNION ALL
SELECT 1 AS "jb", NULL AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", "t1"."id" AS "c3", "t1"."name" AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7"
FROM "projects" AS "t1"
WHERE "t1"."id" IN (SELECT "t0"."project_id"
  FROM "user_projects" AS "t0")
UNION ALL
SELECT 2 AS "jb", NULL AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", NULL AS "c4", "t2"."id" AS "c5", "t2"."name" AS "c6", "t2"."email" AS "c7"
FROM "users" AS "t2"
WHERE "t2"."id" IN (SELECT "t0"."user_id"
  FROM "user_projects" AS "t0")
