SELECT `t0`.`id` AS `c0`, `t0`.`name` AS `c1`, `t0`.`email` AS `c2`, `t1`.`id` AS `c3`, `t1`.`user_id` AS `c4`, `t1`.`title` AS `c5`, `t1`.`published` AS `c6`
FROM (SELECT `t0`.`id`, `t0`.`name`, `t0`.`email`
  FROM `users` AS `t0`
  WHERE EXISTS (SELECT 1
    FROM `posts` AS `t1`
    WHERE `t1`.`user_id` = `t0`.`id` AND `t1`.`published` = ?)
  ORDER BY `t0`.`id`
  LIMIT ?) AS `t0`
INNER JOIN `posts` AS `t1` ON `t1`.`user_id` = `t0`.`id` AND `t1`.`published` = ?
ORDER BY `t0`.`id`, `t1`.`id`
-- arg 1: true
-- arg 2: 0x1
-- arg 3: true
