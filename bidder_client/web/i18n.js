// Language, money and time formatting. zh-CN by default; the choice is kept in localStorage.

const STORE_KEY = "auction.lang";

const zh = {
  brand: "网络司法拍卖",
  brand_sub: "模拟平台",
  nav_auctions: "拍卖",
  nav_me: "我的",
  nav_staff: "法院工作台",
  nav_stats: "统计",
  nav_login: "登录",
  nav_logout: "退出",
  lang_switch: "English",
  lang_switch_label: "Switch to English",
  loading: "加载中…",
  retry: "重试",
  back: "返回",
  none: "无",
  not_published: "未公示",
  yes: "是",
  no: "否",
  // statuses
  st_announced: "即将开始",
  st_live: "正在进行",
  st_sold: "已成交",
  st_unsold: "流拍",
  st_suspended: "中止",
  st_withdrawn: "撤回",
  settle_paid: "已付清尾款",
  settle_defaulted: "悔拍",
  // rounds
  round_1: "一拍",
  round_2: "二拍",
  round_sale: "变卖",
  // categories
  cat_residential: "住宅用房",
  cat_commercial: "商业用房",
  cat_land: "土地",
  cat_vehicle: "机动车",
  cat_equity: "股权",
  cat_machinery: "机器设备",
  cat_other: "其他",
  // list
  tab_upcoming: "即将开始",
  tab_live: "正在进行",
  tab_ended: "已结束",
  filter_category: "类别",
  filter_court: "法院",
  filter_round: "轮次",
  filter_all: "全部",
  no_auctions: "暂无符合条件的拍卖。",
  current_price: "当前价",
  starting_price: "起拍价",
  final_price: "成交价",
  appraisal: "评估价",
  bids_n: "{n} 次出价",
  registrations_n: "{n} 人报名",
  watchers_n: "{n} 人围观",
  ends_in: "距结束",
  starts_in: "距开始",
  ended_at: "结束于",
  ending: "即将结束…",
  extensions_n: "延时 {n} 次",
  page_of: "第 {page} 页 / 共 {pages} 页",
  prev_page: "上一页",
  next_page: "下一页",
  total_n: "共 {n} 场",
  // auction page
  auction_no: "场次 #{id}",
  lot_no: "标的物 #{id}",
  leading_code: "领先竞买号",
  bid_count: "出价次数",
  registrations: "报名人数",
  watchers: "围观",
  increment: "加价幅度",
  deposit: "保证金",
  start_at: "开始时间",
  scheduled_end_at: "原定结束时间",
  end_at: "结束时间",
  extension_note: "最后 5 分钟内有人出价,结束时间自该出价时点顺延 5 分钟。",
  extended_flash: "已延时!新结束时间 {time}",
  min_next_bid: "下一口最低出价",
  announcement: "拍卖公告",
  ann_case_number: "案号",
  ann_court: "处置法院",
  ann_location: "标的物所在地",
  ann_description: "标的物介绍",
  ann_appraisal_method: "评估方式",
  ann_defects: "瑕疵说明",
  ann_encumbrances: "权利负担",
  ann_taxes: "税费承担",
  ann_balance_deadline: "尾款支付期限",
  ann_balance_days: "拍卖成交后 {n} 日内",
  ann_contact: "联系方式",
  ann_priority: "优先购买权人",
  ann_priority_you: "您是本场优先购买权人(顺位 {n}),可以与最高价同价出价。",
  ann_schedule: "竞价时间",
  ann_rules: "竞价规则",
  ann_rules_text:
    "须报名并冻结保证金后方可出价;首次出价须等于起拍价,之后每次出价须为当前价加整数倍加价幅度;最后 5 分钟内出价则延时 5 分钟,无次数限制。",
  status_reason: "原因",
  bid_record: "竞价记录",
  bid_record_empty: "暂无出价。",
  col_seq: "序号",
  col_code: "竞买号",
  col_amount: "价格",
  col_time: "时间",
  col_state: "状态",
  leading: "领先",
  outbid: "出局",
  priority_mark: "优先",
  you: "我",
  // bidding panel
  bid_panel: "出价",
  login_to_bid: "登录后报名参拍",
  staff_no_bid: "法院工作人员不得参与竞买。",
  register_cta: "报名交保证金 {amount}",
  register_note: "报名即冻结保证金(模拟);未成交者的保证金在拍卖结束后 24 小时内解冻。",
  registered_as: "您的竞买号",
  you_are_leading: "您目前领先",
  you_are_outbid: "您已被超越,当前价 {amount}",
  outbid_toast: "您的出价已被 {code} 超越,当前价 {amount}",
  bid_one_step: "出价 {amount}",
  bid_one_step_hint: "加一个幅度",
  bid_n_steps: "加价幅度倍数",
  bid_n_steps_go: "按倍数出价",
  bid_custom: "自定义金额(元)",
  bid_custom_go: "出价",
  bid_placed: "出价成功:{amount}(第 {seq} 次出价)",
  bid_pending: "提交中…",
  bidding_not_open: "竞价尚未开始。",
  bidding_over: "竞价已结束。",
  bidding_suspended: "拍卖已中止,暂不能出价。",
  result_title: "拍卖结果",
  result_sold: "已成交",
  result_unsold: "流拍(无人出价)",
  winner_code: "买受人竞买号",
  winner_name: "买受人",
  premium_over_start: "溢价率(相对起拍价)",
  premium_over_appraisal: "溢价率(相对评估价)",
  settlement: "尾款",
  settlement_pending: "待支付",
  live_connected: "实时",
  live_polling: "轮询",
  live_offline: "连接中…",
  // auth
  login_title: "登录",
  signup_title: "注册竞买人",
  username: "用户名",
  password: "密码",
  real_name: "真实姓名",
  login_go: "登录",
  signup_go: "注册并登录",
  no_account: "还没有账号?注册",
  have_account: "已有账号?登录",
  logged_in_as: "{name}",
  role_staff: "法院工作人员",
  role_bidder: "竞买人",
  need_login: "请先登录。",
  need_staff: "此页面仅限法院工作人员。",
  // me
  me_title: "我的",
  me_registrations: "我的报名与出价",
  me_registrations_note: "保证金状态与出价以平台记录为准。",
  // me (from the API)
  me_won: "竞得的标的物",
  me_won_none: "暂无竞得的标的物。",
  me_deposits: "保证金",
  me_bids: "我的出价记录",
  me_bids_none: "暂无出价。",
  me_balance_due: "应付余款",
  me_balance_settled: "尾款已结清",
  me_balance_note: "余款 = 成交价 − 已缴保证金(保证金抵作价款)。",
  me_final_price: "成交价",
  me_deposit_applied: "保证金抵扣",
  me_deposit_total: "合计",
  me_registered_at: "报名时间",
  me_bid_leading: "当前最高",
  dep_frozen: "冻结",
  dep_released: "已退还",
  dep_applied: "已抵扣价款",
  dep_forfeited: "已没收",
  dep_status: "保证金状态",
  // confirmation, documents, audit, priority holders
  confirmation: "成交确认书",
  confirmation_html: "成交确认书(网页)",
  confirmation_pdf: "成交确认书(PDF)",
  documents: "公告附件",
  documents_none: "暂无附件。",
  doc_kind_appraisal_report: "评估报告",
  doc_kind_photo: "照片",
  doc_kind_other: "其他(按文件内容归类)",
  doc_open: "打开",
  doc_upload: "上传附件",
  doc_file: "文件(PDF 评估报告,或 JPEG / PNG / WebP 照片,不超过 10 MB)",
  doc_kind: "类型",
  doc_uploaded: "附件已上传:{name}",
  doc_pick_file: "请选择要上传的文件。",
  audit_ok: "记录完整性校验通过 ✓ ({n} 条)",
  audit_bad: "警告:竞价记录完整性校验未通过(自第 {seq} 条起)。",
  audit_unknown: "记录完整性校验暂不可用。",
  audit_title: "哈希链:{head}",
  priority_rank_n: "第 {n} 顺位",
  priority_code: "竞买号 {code}",
  // staff: disposition, deposits ledger
  disposition: "流拍后处置",
  disposition_note_label: "备注(可选)",
  disposition_hint: "二拍或变卖流拍后,可以以物抵债(按该轮起拍价交申请执行人)或退回被执行人;处置后不能再次挂拍。",
  disp_creditor_taken: "以物抵债",
  disp_returned: "退回",
  disposition_done: "已登记处置:{outcome}",
  disposition_confirm: "确认登记“{outcome}”?处置后该标的物不能再次挂拍。",
  disposition_price: "抵债价格",
  disposed_at: "处置时间",
  ledger: "保证金台账",
  ledger_balanced: "账目平衡 ✓",
  ledger_unbalanced: "账目不平衡!",
  ledger_none: "无人报名。",
  ledger_total: "合计",
  ledger_count: "{n} 笔",
  ledger_updated: "状态变更时间",
  me_none: "您还没有报名任何拍卖。",
  my_code: "竞买号",
  my_bids: "我的出价",
  my_highest: "我的最高出价",
  my_state: "状态",
  state_leading: "领先",
  state_outbid: "已被超越",
  state_won: "竞得",
  state_lost: "未竞得",
  state_no_bid: "未出价",
  state_waiting: "待开始",
  open: "查看",
  // staff
  staff_title: "法院工作台",
  staff_lots: "本院标的物",
  staff_new_lot: "新建标的物",
  lot_title: "标的物名称",
  lot_category: "类别",
  lot_appraisal: "评估价(元)",
  create_lot: "创建标的物",
  lot_created: "标的物已创建。",
  lot_auctions: "拍卖场次",
  schedule_title: "安排下一轮:{round}",
  schedule_go: "发布拍卖",
  schedule_done: "拍卖已发布。",
  schedule_checks: "挂拍规则检查",
  schedule_blocked: "该标的物目前不能安排新一轮:{why}",
  auction_open_short: "已有尚未结束的拍卖",
  rules_profile: "规则:{name}",
  start_local: "开始时间(本地时区 {tz})",
  end_local: "结束时间(本地时区 {tz})",
  staff_actions: "操作",
  act_suspend: "中止",
  act_resume: "恢复",
  act_withdraw: "撤回",
  act_paid: "登记已付款",
  act_defaulted: "登记悔拍",
  act_result: "结果",
  act_open: "竞价页",
  reason_prompt: "请填写原因(将公示):",
  confirm_defaulted: "确认登记悔拍?买受人保证金将不予退还,且不得参加该标的物的再次拍卖。",
  done: "操作成功。",
  add_priority: "添加优先购买权人",
  priority_username: "竞买人用户名",
  priority_rank: "顺位",
  priority_added: "已添加优先购买权人。",
  no_lots: "本院暂无标的物。",
  chk_floor1: "一拍起拍价不低于评估价的 70%({amount})",
  chk_floor2: "再次拍卖起拍价不低于上一轮起拍价的 80%({amount})",
  chk_sale_price: "变卖价等于二拍起拍价({amount})",
  chk_deposit: "保证金为起拍价的 5%–20%({lo} – {hi})",
  chk_increment: "加价幅度为正且不超过起拍价",
  chk_start_future: "开始时间晚于当前时间",
  chk_announce: "公告期至少 {days} 天(开始不早于 {time})",
  chk_period: "竞价期至少 24 小时",
  chk_period_pos: "结束时间晚于开始时间",
  chk_amounts: "金额填写完整",
  // stats
  stats_title: "统计",
  stats_filters: "筛选",
  stats_from: "起(结束时间)",
  stats_to: "止",
  stats_apply: "查询",
  stats_export: "导出 CSV",
  kpi_transaction_rate: "成交率",
  kpi_transaction_den: "{sold} 成交 ÷ ({sold} 成交 + {unsold} 流拍),窗口内结束的场次",
  kpi_lot_rate: "标的物成交率",
  kpi_lot_den: "{sold} ÷ {n} 个已有结果的标的物(含各轮)",
  kpi_deal_amount: "成交金额",
  kpi_auctions_ended: "已结束场次",
  kpi_withdrawn: "撤回 {n} 场(不计入)",
  kpi_premium_start: "溢价率(相对起拍价)",
  kpi_premium_appraisal: "溢价率(相对评估价)",
  kpi_discount: "折价率(成交价 ÷ 评估价)",
  kpi_bids: "场均出价",
  kpi_extensions: "场均延时",
  mean: "平均",
  median: "中位数",
  max: "最高",
  chart_rate_by: "成交率:按{dim}",
  chart_premium_by: "平均溢价率(相对起拍价):按{dim}",
  dim_court: "法院",
  dim_category: "类别",
  dim_round: "轮次",
  chart_empty: "无已结束的场次",
  chart_n: "n={n}",
  // errors
  err_network: "网络错误,请稍后再试。",
  err_generic: "请求被拒绝({code})",
  err_amount_format: "请输入以元为单位的金额,最多两位小数。",
  err_steps_format: "请输入 1 以上的整数倍数。",
  // stats: monthly series and server CSV
  chart_monthly: "按月:成交率与成交金额",
  chart_monthly_note: "月份按拍卖结束时间(中国时间 UTC+8)归属。",
  chart_monthly_rate: "成交率",
  chart_monthly_amount: "成交金额",
  csv_summary: "下载 CSV(汇总)",
  csv_monthly: "下载 CSV(按月)",
  chart_month: "月份",
  chart_monthly_table: "查看数据表",
};

const en = {
  brand: "Judicial Auctions",
  brand_sub: "simulator",
  nav_auctions: "Auctions",
  nav_me: "My page",
  nav_staff: "Court desk",
  nav_stats: "Statistics",
  nav_login: "Log in",
  nav_logout: "Log out",
  lang_switch: "中文",
  lang_switch_label: "切换到中文",
  loading: "Loading…",
  retry: "Retry",
  back: "Back",
  none: "None",
  not_published: "None published",
  yes: "Yes",
  no: "No",
  st_announced: "Upcoming",
  st_live: "Live",
  st_sold: "Sold",
  st_unsold: "Unsold (流拍)",
  st_suspended: "Suspended",
  st_withdrawn: "Withdrawn",
  settle_paid: "Balance paid",
  settle_defaulted: "Defaulted (悔拍)",
  round_1: "Round 1",
  round_2: "Round 2",
  round_sale: "Fixed-price sale",
  cat_residential: "Residential",
  cat_commercial: "Commercial",
  cat_land: "Land",
  cat_vehicle: "Vehicle",
  cat_equity: "Equity",
  cat_machinery: "Machinery",
  cat_other: "Other",
  tab_upcoming: "Upcoming",
  tab_live: "Live",
  tab_ended: "Ended",
  filter_category: "Category",
  filter_court: "Court",
  filter_round: "Round",
  filter_all: "All",
  no_auctions: "No auctions match.",
  current_price: "Current price",
  starting_price: "Starting price",
  final_price: "Final price",
  appraisal: "Appraisal",
  bids_n: "{n} bids",
  registrations_n: "{n} registered",
  watchers_n: "{n} watching",
  ends_in: "Ends in",
  starts_in: "Starts in",
  ended_at: "Ended",
  ending: "Closing…",
  extensions_n: "Extended {n}×",
  page_of: "Page {page} of {pages}",
  prev_page: "Previous",
  next_page: "Next",
  total_n: "{n} auctions",
  auction_no: "Auction #{id}",
  lot_no: "Lot #{id}",
  leading_code: "Leading bidder",
  bid_count: "Bids",
  registrations: "Registered",
  watchers: "Watching",
  increment: "Increment",
  deposit: "Deposit",
  start_at: "Starts",
  scheduled_end_at: "Scheduled end",
  end_at: "Ends",
  extension_note: "A bid in the last 5 minutes moves the end to that bid's time + 5 minutes.",
  extended_flash: "Extended! New end {time}",
  min_next_bid: "Minimum next bid",
  announcement: "Announcement",
  ann_case_number: "Case number",
  ann_court: "Court",
  ann_location: "Location",
  ann_description: "Description",
  ann_appraisal_method: "Appraisal method",
  ann_defects: "Known defects",
  ann_encumbrances: "Encumbrances",
  ann_taxes: "Taxes",
  ann_balance_deadline: "Balance due",
  ann_balance_days: "within {n} days of the sale",
  ann_contact: "Contact",
  ann_priority: "Priority holders",
  ann_priority_you: "You hold a priority right here (rank {n}): you may bid the same as the highest bid.",
  ann_schedule: "Bidding period",
  ann_rules: "Bidding rules",
  ann_rules_text:
    "Register and freeze the deposit to bid. The first bid is the starting price; each later bid is the current price plus a whole number of increments. A bid in the last 5 minutes extends the end by 5 minutes, without limit.",
  status_reason: "Reason",
  bid_record: "Bid record",
  bid_record_empty: "No bids yet.",
  col_seq: "#",
  col_code: "Bidder",
  col_amount: "Amount",
  col_time: "Time",
  col_state: "State",
  leading: "Leading",
  outbid: "Outbid",
  priority_mark: "Priority",
  you: "you",
  bid_panel: "Bid",
  login_to_bid: "Log in to register and bid",
  staff_no_bid: "Court staff may not bid.",
  register_cta: "Register and freeze deposit {amount}",
  register_note: "Registering freezes the (simulated) deposit; losers' deposits are released within 24 h of the close.",
  registered_as: "Your bidder code",
  you_are_leading: "You are leading",
  you_are_outbid: "You have been outbid; price now {amount}",
  outbid_toast: "Outbid by {code}: price now {amount}",
  bid_one_step: "Bid {amount}",
  bid_one_step_hint: "one increment",
  bid_n_steps: "Increments",
  bid_n_steps_go: "Bid n increments",
  bid_custom: "Custom amount (yuan)",
  bid_custom_go: "Bid",
  bid_placed: "Bid accepted: {amount} (bid #{seq})",
  bid_pending: "Sending…",
  bidding_not_open: "Bidding has not started.",
  bidding_over: "Bidding has ended.",
  bidding_suspended: "The auction is suspended; no bids for now.",
  result_title: "Result",
  result_sold: "Sold",
  result_unsold: "Unsold (no bids, 流拍)",
  winner_code: "Winner's code",
  winner_name: "Buyer",
  premium_over_start: "Premium over starting price",
  premium_over_appraisal: "Premium over appraisal",
  settlement: "Balance",
  settlement_pending: "Awaiting payment",
  live_connected: "Live",
  live_polling: "Polling",
  live_offline: "Connecting…",
  login_title: "Log in",
  signup_title: "Sign up as a bidder",
  username: "Username",
  password: "Password",
  real_name: "Real name",
  login_go: "Log in",
  signup_go: "Sign up and log in",
  no_account: "No account? Sign up",
  have_account: "Have an account? Log in",
  logged_in_as: "{name}",
  role_staff: "Court staff",
  role_bidder: "Bidder",
  need_login: "Please log in first.",
  need_staff: "This page is for court staff.",
  me_title: "My page",
  me_registrations: "My registrations and bids",
  me_registrations_note: "Deposit statuses and bids as the platform records them.",
  // me (from the API)
  me_won: "Lots I won",
  me_won_none: "No lots won yet.",
  me_deposits: "Deposits",
  me_bids: "My bids",
  me_bids_none: "No bids yet.",
  me_balance_due: "Balance due",
  me_balance_settled: "Balance settled",
  me_balance_note: "Balance = final price − the deposit paid (the deposit counts towards the price).",
  me_final_price: "Final price",
  me_deposit_applied: "Deposit applied",
  me_deposit_total: "Total",
  me_registered_at: "Registered",
  me_bid_leading: "Highest now",
  dep_frozen: "Frozen",
  dep_released: "Released",
  dep_applied: "Applied to the price",
  dep_forfeited: "Forfeited",
  dep_status: "Deposit status",
  // confirmation, documents, audit, priority holders
  confirmation: "Sale confirmation",
  confirmation_html: "Sale confirmation (web page)",
  confirmation_pdf: "Sale confirmation (PDF)",
  documents: "Documents",
  documents_none: "No documents.",
  doc_kind_appraisal_report: "Appraisal report",
  doc_kind_photo: "Photo",
  doc_kind_other: "Other (classified by content)",
  doc_open: "Open",
  doc_upload: "Upload a document",
  doc_file: "File (a PDF appraisal report, or a JPEG / PNG / WebP photo, up to 10 MB)",
  doc_kind: "Kind",
  doc_uploaded: "Document uploaded: {name}",
  doc_pick_file: "Choose a file to upload.",
  audit_ok: "Bid record integrity verified ✓ ({n} bids)",
  audit_bad: "Warning: the bid record failed its integrity check (from bid {seq} on).",
  audit_unknown: "The integrity check is not available right now.",
  audit_title: "Hash chain: {head}",
  priority_rank_n: "Rank {n}",
  priority_code: "bidder code {code}",
  // staff: disposition, deposits ledger
  disposition: "Disposition after failure",
  disposition_note_label: "Note (optional)",
  disposition_hint:
    "Once round 2 or the fixed-price sale has failed, the creditor may take the lot at that round's starting price, or it is returned; the lot can then not be listed again.",
  disp_creditor_taken: "Taken by the creditor",
  disp_returned: "Returned",
  disposition_done: "Disposition recorded: {outcome}",
  disposition_confirm: "Record “{outcome}”? The lot can then not be listed again.",
  disposition_price: "Price taken at",
  disposed_at: "Disposed",
  ledger: "Deposits ledger",
  ledger_balanced: "Balanced ✓",
  ledger_unbalanced: "Not balanced!",
  ledger_none: "No registrations.",
  ledger_total: "Total",
  ledger_count: "{n} deposits",
  ledger_updated: "Status changed",
  me_none: "You have not registered for any auction.",
  my_code: "Code",
  my_bids: "My bids",
  my_highest: "My highest bid",
  my_state: "State",
  state_leading: "Leading",
  state_outbid: "Outbid",
  state_won: "Won",
  state_lost: "Lost",
  state_no_bid: "No bid",
  state_waiting: "Not started",
  open: "Open",
  staff_title: "Court desk",
  staff_lots: "Our court's lots",
  staff_new_lot: "New lot",
  lot_title: "Title",
  lot_category: "Category",
  lot_appraisal: "Appraisal (yuan)",
  create_lot: "Create lot",
  lot_created: "Lot created.",
  lot_auctions: "Auctions",
  schedule_title: "Schedule the next round: {round}",
  schedule_go: "Publish auction",
  schedule_done: "Auction published.",
  schedule_checks: "Listing rules",
  schedule_blocked: "No new round can be scheduled: {why}",
  auction_open_short: "an auction is still open",
  rules_profile: "Rules: {name}",
  start_local: "Start (your time zone, {tz})",
  end_local: "End (your time zone, {tz})",
  staff_actions: "Actions",
  act_suspend: "Suspend",
  act_resume: "Resume",
  act_withdraw: "Withdraw",
  act_paid: "Record payment",
  act_defaulted: "Record default",
  act_result: "Result",
  act_open: "Bidding page",
  reason_prompt: "Reason (published):",
  confirm_defaulted: "Record a default? The winner's deposit is forfeited and they may not join this lot's re-auction.",
  done: "Done.",
  add_priority: "Add a priority holder",
  priority_username: "Bidder username",
  priority_rank: "Rank",
  priority_added: "Priority holder added.",
  no_lots: "No lots yet.",
  chk_floor1: "Round 1 starting price ≥ 70% of appraisal ({amount})",
  chk_floor2: "Starting price ≥ 80% of the previous round's ({amount})",
  chk_sale_price: "Sale price equals round 2's starting price ({amount})",
  chk_deposit: "Deposit 5%–20% of the starting price ({lo} – {hi})",
  chk_increment: "Increment positive and not above the starting price",
  chk_start_future: "Start in the future",
  chk_announce: "Announced at least {days} days ahead (start no earlier than {time})",
  chk_period: "Bidding period at least 24 hours",
  chk_period_pos: "End after start",
  chk_amounts: "All amounts filled in",
  stats_title: "Statistics",
  stats_filters: "Filters",
  stats_from: "From (end time)",
  stats_to: "To",
  stats_apply: "Apply",
  stats_export: "Export CSV",
  kpi_transaction_rate: "Transaction rate",
  kpi_transaction_den: "{sold} sold ÷ ({sold} sold + {unsold} unsold), auctions ended in the window",
  kpi_lot_rate: "Lot transaction rate",
  kpi_lot_den: "{sold} ÷ {n} lots with a final outcome (all rounds)",
  kpi_deal_amount: "Deal amount",
  kpi_auctions_ended: "Auctions ended",
  kpi_withdrawn: "{n} withdrawn (excluded)",
  kpi_premium_start: "Premium over starting price",
  kpi_premium_appraisal: "Premium over appraisal",
  kpi_discount: "Discount rate (price ÷ appraisal)",
  kpi_bids: "Bids per auction",
  kpi_extensions: "Extensions per auction",
  mean: "mean",
  median: "median",
  max: "max",
  chart_rate_by: "Transaction rate by {dim}",
  chart_premium_by: "Mean premium over start by {dim}",
  dim_court: "court",
  dim_category: "category",
  dim_round: "round",
  chart_empty: "No ended auctions",
  chart_n: "n={n}",
  err_network: "Network error; please try again.",
  err_generic: "Refused ({code})",
  err_amount_format: "Enter an amount in yuan with at most two decimals.",
  err_steps_format: "Enter a whole number of increments, 1 or more.",
  // stats: monthly series and server CSV
  chart_monthly: "By month: transaction rate and deal amount",
  chart_monthly_note: "A month is the auction's closing month in China time (UTC+8).",
  chart_monthly_rate: "Transaction rate",
  chart_monthly_amount: "Deal amount",
  csv_summary: "Download CSV (summary)",
  csv_monthly: "Download CSV (monthly)",
  chart_month: "Month",
  chart_monthly_table: "Show the figures",
};

// Refusal reasons, by the API's error code.
const errors = {
  zh: {
    bid_too_low: "出价过低:须高于当前价(首次出价须等于起拍价)。",
    bid_not_on_increment: "出价须为当前价加整数倍的加价幅度。",
    auction_not_live: "拍卖当前不在竞价中。",
    not_registered: "您尚未报名本场拍卖,请先交保证金报名。",
    staff_cannot_bid: "法院工作人员不得参与竞买。",
    registration_closed: "竞价已结束,报名已关闭。",
    excluded_bidder: "您曾在该标的物上悔拍,不得参加其再次拍卖。",
    invalid_credentials: "用户名或密码错误。",
    username_taken: "该用户名已被使用。",
    unauthorized: "登录已过期,请重新登录。",
    token_expired: "登录已过期,请重新登录。",
    invalid_token: "登录已失效,请重新登录。",
    forbidden: "没有权限。",
    staff_only: "仅限法院工作人员。",
    wrong_court: "只能操作本院的标的物。",
    not_found: "找不到该记录。",
    auction_not_found: "找不到该场拍卖。",
    lot_not_found: "找不到该标的物。",
    rate_limited: "操作过于频繁,请稍后再试。",
    validation_error: "输入有误:{message}",
    starting_price_below_floor: "一拍起拍价不得低于评估价的 70%。",
    price_cut_too_deep: "再次拍卖的起拍价不得低于上一轮起拍价的 80%。",
    sale_price_mismatch: "变卖价须等于二拍起拍价。",
    deposit_out_of_range: "保证金须为起拍价的 5% 至 20%。",
    increment_too_large: "加价幅度不得超过起拍价。",
    announcement_too_short: "公告期不足(一拍不动产 30 日、动产 15 日;二拍 15 / 7 日)。",
    bidding_period_too_short: "竞价期不得少于 24 小时。",
    start_in_past: "开始时间须晚于当前时间。",
    reauction_announced_too_late: "流拍后须在 30 日内公告再次拍卖。",
    auction_open: "该标的物已有尚未结束的拍卖。",
    lot_already_sold: "该标的物已成交。",
    lot_concluded: "该标的物已处置完毕。",
    auction_not_ended: "拍卖尚未结束。",
    auction_not_sold: "只有已成交的拍卖才能登记尾款。",
    already_settled: "该成交已登记过尾款结果。",
    auction_ended: "竞价已结束。",
    account_not_found: "找不到该竞买人账号。",
    not_a_bidder: "只有竞买人账号可以享有优先购买权。",
    auction_not_suspendable: "当前状态不能中止。",
    auction_not_suspended: "该拍卖未处于中止状态。",
    auction_not_withdrawable: "只能在竞价开始前撤回。",
    invalid_amount: "金额格式有误。",
    unsupported_document_type: "文件类型不受支持:只能上传 PDF 评估报告或 JPEG、PNG、WebP 照片(按文件内容判断),且须与所选类型一致。",
    document_too_large: "文件过大:每个附件不得超过 10 MB。",
    empty_document: "文件为空。",
    invalid_document_kind: "附件类型无效。",
    document_not_found: "找不到该附件。",
    disposition_not_allowed: "只有二拍或变卖流拍后才能以物抵债或退回。",
  },
  en: {
    bid_too_low: "Bid too low: it must beat the current price (the first bid is exactly the starting price).",
    bid_not_on_increment: "A bid must be the current price plus a whole number of increments.",
    auction_not_live: "The auction is not open for bidding.",
    not_registered: "You have not registered for this auction: pay the deposit first.",
    staff_cannot_bid: "Court staff may not bid.",
    registration_closed: "Bidding has ended; registration is closed.",
    excluded_bidder: "You defaulted on this lot and may not take part in its re-auction.",
    invalid_credentials: "Wrong username or password.",
    username_taken: "That username is taken.",
    unauthorized: "Your session expired; please log in again.",
    token_expired: "Your session expired; please log in again.",
    invalid_token: "Your session is no longer valid; please log in again.",
    forbidden: "Not allowed.",
    staff_only: "Court staff only.",
    wrong_court: "Only staff of the lot's court may do this.",
    not_found: "Not found.",
    auction_not_found: "No such auction.",
    lot_not_found: "No such lot.",
    rate_limited: "Too many requests; please wait a moment.",
    validation_error: "Invalid input: {message}",
    starting_price_below_floor: "Round 1 starting price must be at least 70% of the appraisal.",
    price_cut_too_deep: "A later round's starting price must be at least 80% of the previous round's.",
    sale_price_mismatch: "The fixed-price sale price must equal round 2's starting price.",
    deposit_out_of_range: "The deposit must be 5% to 20% of the starting price.",
    increment_too_large: "The increment may not exceed the starting price.",
    announcement_too_short: "Announcement period too short (round 1: 30 days real estate, 15 movables; round 2: 15 / 7).",
    bidding_period_too_short: "The bidding period must be at least 24 hours.",
    start_in_past: "Bidding must start in the future.",
    reauction_announced_too_late: "A re-auction must be announced within 30 days of the failure.",
    auction_open: "The lot already has an auction that has not ended.",
    lot_already_sold: "The lot has been sold.",
    lot_concluded: "The lot has been disposed of.",
    auction_not_ended: "The auction has not ended.",
    auction_not_sold: "Only a sold auction can be settled.",
    already_settled: "The sale was already settled.",
    auction_ended: "Bidding has ended.",
    account_not_found: "No bidder with that username.",
    not_a_bidder: "Only a bidder account can hold a priority right.",
    auction_not_suspendable: "It cannot be suspended now.",
    auction_not_suspended: "The auction is not suspended.",
    auction_not_withdrawable: "Only an auction that has not started can be withdrawn.",
    invalid_amount: "Malformed amount.",
    unsupported_document_type: "Unsupported file: only a PDF appraisal report or a JPEG, PNG or WebP photo (checked from its content), matching the chosen kind.",
    document_too_large: "The file is too large: at most 10 MB per document.",
    empty_document: "The file is empty.",
    invalid_document_kind: "Invalid document kind.",
    document_not_found: "No such document.",
    disposition_not_allowed: "A lot can be taken by the creditor or returned only after round 2 or the fixed-price sale failed.",
  },
};

const dicts = { zh, en };
let lang = (() => {
  try {
    const saved = localStorage.getItem(STORE_KEY);
    if (saved === "en" || saved === "zh") return saved;
  } catch {
    /* storage unavailable */
  }
  return "zh";
})();

export function getLang() {
  return lang;
}

export function locale() {
  return lang === "zh" ? "zh-CN" : "en-GB";
}

export function setLang(next) {
  lang = next === "en" ? "en" : "zh";
  try {
    localStorage.setItem(STORE_KEY, lang);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = locale();
}

export function t(key, params = {}) {
  const text = dicts[lang][key] ?? dicts.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** Refusal text for an API error ({status, code, message}). */
export function errorText(err) {
  if (!err) return "";
  if (err.code === "network_error") return t("err_network");
  const table = errors[lang];
  const text = table[err.code];
  if (text) return text.replace("{message}", err.message || "");
  return err.message ? `${t("err_generic", { code: err.code })}: ${err.message}` : t("err_generic", { code: err.code });
}

export function statusText(status) {
  return t(`st_${status}`);
}

export function roundText(round) {
  return t(`round_${round}`);
}

export function categoryText(category) {
  return t(`cat_${category}`);
}

export const CATEGORIES = ["residential", "commercial", "land", "vehicle", "equity", "machinery", "other"];
export const ROUNDS = ["1", "2", "sale"];

// ---------------------------------------------------------------- money (integers of fen, no floats)

function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** 123456789 fen -> "¥1,234,567.89"; whole yuan keep ".00" so columns line up. */
export function money(fen, { symbol = true } = {}) {
  if (fen === null || fen === undefined) return "—";
  const n = BigInt(fen);
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const yuan = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${symbol ? "¥" : ""}${groupThousands(yuan.toString())}.${cents}`;
}

/** Compact money for charts and cards: 万 / 亿 in Chinese, k / M in English, from integers. */
export function moneyShort(fen) {
  if (fen === null || fen === undefined) return "—";
  const yuan = Number(BigInt(fen) / 100n);
  if (lang === "zh") {
    if (yuan >= 1e8) return `¥${(yuan / 1e8).toFixed(2)}亿`;
    if (yuan >= 1e4) return `¥${(yuan / 1e4).toFixed(yuan >= 1e6 ? 0 : 1)}万`;
    return money(fen);
  }
  if (yuan >= 1e9) return `¥${(yuan / 1e9).toFixed(2)}B`;
  if (yuan >= 1e6) return `¥${(yuan / 1e6).toFixed(2)}M`;
  if (yuan >= 1e4) return `¥${(yuan / 1e3).toFixed(0)}k`;
  return money(fen);
}

/** "1,234.5" (yuan) -> 123450 fen, exactly; null when malformed. */
export function parseYuan(text) {
  const clean = String(text ?? "")
    .trim()
    .replace(/[,,\s¥]/g, "");
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(clean);
  if (!m) return null;
  const fen = BigInt(m[1]) * 100n + BigInt((m[2] || "").padEnd(2, "0") || "0");
  if (fen < 1n || fen > 10n ** 15n) return null;
  return Number(fen);
}

/** fen -> "1234.50" for an input's value. */
export function yuanInput(fen) {
  if (fen === null || fen === undefined) return "";
  return money(fen, { symbol: false }).replace(/,/g, "");
}

/** 1536 -> "1.5 KB". */
export function fileSize(bytes) {
  if (bytes === null || bytes === undefined) return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function percent(rate, digits = 2) {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return "—";
  return `${(rate * 100).toFixed(digits)}%`;
}

export function number(value, digits = 0) {
  if (value === null || value === undefined) return "—";
  return Number(value).toLocaleString(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

// ---------------------------------------------------------------- times (the viewer's time zone)

export function timeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function dateTime(iso, { seconds = true } = {}) {
  if (!iso) return "—";
  const d = new Date(iso);
  return new Intl.DateTimeFormat(locale(), {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: seconds ? "2-digit" : undefined,
    hour12: false,
  }).format(d);
}

export function timeOnly(iso) {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(locale(), {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  }).format(new Date(iso));
}

/** Milliseconds -> "2天 03:04:05" / "2d 03:04:05" / "04:05". */
export function duration(ms) {
  if (ms < 0) ms = 0;
  const total = Math.floor(ms / 1000);
  const days = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (v) => String(v).padStart(2, "0");
  const hms = h > 0 || days > 0 ? `${pad(h)}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
  if (days > 0) return lang === "zh" ? `${days}天 ${hms}` : `${days}d ${hms}`;
  return hms;
}

setLang(lang);
