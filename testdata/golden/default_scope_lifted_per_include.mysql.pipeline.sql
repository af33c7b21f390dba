-- statement 1: branch 0, result columns [1 2]
SELECT `t0`.`id` AS `c0`, `t0`.`title` AS `c1`
FROM `p_posts` AS `t0`
ORDER BY `t0`.`id`, CASE WHEN EXISTS (SELECT 1
  FROM (SELECT 1) AS `jr_one`
  LEFT JOIN `p_comments` AS `t1` ON `t1`.`commentable_id` = `t0`.`id` AND `t1`.`commentable` = ?
  WHERE `t1`.`id` IS NULL) THEN NULL ELSE (SELECT MIN(`t1`.`id`)
  FROM `p_comments` AS `t1`
  WHERE `t1`.`commentable_id` = `t0`.`id` AND `t1`.`commentable` = ?) END
-- arg 1: "post"
-- arg 2: "post"
-- statement 2: branch 1, result columns [3 4 5 6 7]
SELECT `t1`.`id` AS `c2`, `t1`.`commentable` AS `c3`, `t1`.`commentable_id` AS `c4`, `t1`.`body` AS `c5`, `t1`.`deleted_at` AS `c6`
FROM `p_comments` AS `t1`
WHERE `t1`.`commentable_id` IN (SELECT `t0`.`id`
  FROM `p_posts` AS `t0`) AND `t1`.`commentable` = ?
ORDER BY `t1`.`id`
-- arg 1: "post"
