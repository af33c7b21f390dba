SELECT `t0`.`id` AS `c0`, `t0`.`commentable` AS `c1`, `t0`.`commentable_id` AS `c2`, `t0`.`body` AS `c3`, `t0`.`deleted_at` AS `c4`, `t1`.`id` AS `c5`, `t1`.`title` AS `c6`, `t2`.`id` AS `c7`, `t2`.`url` AS `c8`
FROM `p_comments` AS `t0`
LEFT JOIN `p_posts` AS `t1` ON `t1`.`id` = `t0`.`commentable_id` AND `t0`.`commentable` = ?
LEFT JOIN `p_images` AS `t2` ON `t2`.`id` = `t0`.`commentable_id` AND `t0`.`commentable` = ?
WHERE `t0`.`deleted_at` IS NULL
ORDER BY `t0`.`id`
-- arg 1: "post"
-- arg 2: "image"
