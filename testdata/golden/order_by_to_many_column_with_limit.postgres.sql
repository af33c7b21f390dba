WITH "jr_p" AS MATERIALIZED (SELECT "t0"."id", "t0"."name", "t0"."email", CASE WHEN EXISTS (SELECT 1
    FROM (SELECT 1) AS "jr_one"
    LEFT JOIN "posts" AS "t1" ON "t1"."user_id" = "t0"."id"
    WHERE "t1"."title" IS NULL) THEN NULL ELSE (SELECT MAX("t1"."title")
    FROM "posts" AS "t1"
    WHERE "t1"."user_id" = "t0"."id") END AS "jr_o0"
  FROM "users" AS "t0"
  WHERE EXISTS (SELECT 1
    FROM "posts" AS "t1"
    WHERE "t1"."user_id" = "t0"."id")
  ORDER BY "jr_o0" DESC, "t0"."id"
  LIMIT $1)
SELECT -1 AS "jb", CAST(NULL AS BIGINT) AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6"
FROM "users" AS "t0" CROSS JOIN "posts" AS "t1"
WHERE 1 = 0
UNION ALL
SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."jr_o0" DESC, "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6"
FROM "jr_p" AS "t0"
UNION ALL
SELECT 1 AS "jb", ROW_NUMBER() OVER (ORDER BY "t1"."title" DESC) AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6"
FROM "posts" AS "t1"
WHERE "t1"."user_id" = ANY(ARRAY(SELECT "jr_p"."id"
  FROM "jr_p"))
-- arg 1: 0x2
