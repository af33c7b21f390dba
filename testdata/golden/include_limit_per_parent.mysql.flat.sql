SELECT `t0`.`id` AS `c0`, `t0`.`name` AS `c1`, `t0`.`email` AS `c2`, `t1`.`id` AS `c3`, `t1`.`user_id` AS `c4`, `t1`.`title` AS `c5`, `t1`.`published` AS `c6`
FROM `users` AS `t0`
LEFT JOIN (SELECT `t1`.`id`, `t1`.`user_id`, `t1`.`title`, `t1`.`published`, ROW_NUMBER() OVER (PARTITION BY `t1`.`user_id` ORDER BY `t1`.`id` DESC) AS `jr_rn`
  FROM `posts` AS `t1`) AS `t1` ON `t1`.`user_id` = `t0`.`id` AND `t1`.`jr_rn` > ? AND `t1`.`jr_rn` <= ?
ORDER BY `t0`.`id`, `t1`.`id` DESC
-- arg 1: 0x0
-- arg 2: 0x1
