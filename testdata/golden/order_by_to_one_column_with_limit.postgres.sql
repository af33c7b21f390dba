WITH "jr_p" AS MATERIALIZED (SELECT "t0"."id", "t0"."user_id", "t0"."title", "t0"."published", "t1"."name" AS "jr_o0"
  FROM "posts" AS "t0"
  LEFT JOIN "users" AS "t1" ON "t1"."id" = "t0"."user_id"
  ORDER BY "jr_o0" DESC, "t0"."id"
  LIMIT $1)
SELECT -1 AS "jb", CAST(NULL AS BIGINT) AS "jo", "t0"."id" AS "c0", "t0"."user_id" AS "c1", "t0"."title" AS "c2", "t0"."published" AS "c3", "t1"."id" AS "c4", "t1"."name" AS "c5", "t1"."email" AS "c6", "t2"."id" AS "c7", "t2"."post_id" AS "c8", "t2"."author_id" AS "c9", "t2"."body" AS "c10"
FROM "posts" AS "t0" CROSS JOIN "users" AS "t1" CROSS JOIN "comments" AS "t2"
WHERE 1 = 0
UNION ALL
SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."jr_o0" DESC, "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."user_id" AS "c1", "t0"."title" AS "c2", "t0"."published" AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7", NULL AS "c8", NULL AS "c9", NULL AS "c10"
FROM "jr_p" AS "t0"
UNION ALL
SELECT 1 AS "jb", NULL AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", "t1"."id" AS "c4", "t1"."name" AS "c5", "t1"."email" AS "c6", NULL AS "c7", NULL AS "c8", NULL AS "c9", NULL AS "c10"
FROM "users" AS "t1"
WHERE "t1"."id" = ANY(ARRAY(SELECT "jr_p"."user_id"
  FROM "jr_p"))
UNION ALL
SELECT 2 AS "jb", ROW_NUMBER() OVER (ORDER BY "t2"."id") AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", "t2"."id" AS "c7", "t2"."post_id" AS "c8", "t2"."author_id" AS "c9", "t2"."body" AS "c10"
FROM "comments" AS "t2"
WHERE "t2"."post_id" = ANY(ARRAY(SELECT "jr_p"."id"
  FROM "jr_p"))
-- arg 1: 0x2
