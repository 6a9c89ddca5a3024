"""Work queues and oversight (issue 17, XJ-A, SX-O): the per-role dashboard, the oversight
statistics of a region's subtree with their charts, tables and drill-downs, and the audit log
viewer. Everything here reads; nothing here changes another feature's rows."""
