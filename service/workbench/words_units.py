"""Words of the unit pages (invoices, awards), the review queue, what-if and the awards chart."""

from __future__ import annotations

from collections.abc import Mapping

UNIT_WORDS: Mapping[str, tuple[str, str]] = {
    # menu and titles
    "my_invoices": ("本单位发票", "My invoices"),
    "reviews": ("审核队列", "Review queue"),
    "what_if": ("政策测算", "What if"),
    # invoices page
    "upload_invoices": ("上传发票", "Upload invoices"),
    "upload_help": (
        "CSV 或 XLSX 文件，首行为列名：发票号码（或数电发票号码）、发票代码、"
        "销售方统一社会信用代码、开票日期、价税合计；购买方为本单位。",
        "A CSV or XLSX file whose first row names the columns: invoice number, code, seller "
        "credit code, issue date, amount; the buyer is your unit.",
    ),
    "file": ("文件", "File"),
    "dry_run": ("仅检查，不保存", "Check only, store nothing"),
    "upload_stored": (
        "已保存 {stored} 张发票，{unchanged} 张此前已上传且内容相同。",
        "{stored} invoices stored; {unchanged} were already stored with the same values.",
    ),
    "upload_unchanged": (
        "文件中的 {unchanged} 张发票均已上传过且内容相同，未作改动。",
        "All {unchanged} invoices of the file were already stored; nothing changed.",
    ),
    "upload_checked": (
        "检查通过：{would_store} 张发票可以保存，{unchanged} 张已上传过。未保存任何数据。",
        "Checked: {would_store} invoices would be stored, {unchanged} are already stored. "
        "Nothing was stored.",
    ),
    "upload_refused": (
        "文件未被接受，未保存任何发票。请改正以下问题后重新上传：",
        "The file was refused and nothing was stored. Correct these and upload it again:",
    ),
    "duplicate_claims": (
        "其中 {n} 张发票的号码已由其他单位申报。",
        "{n} of them were claimed by another unit first.",
    ),
    "row": ("行", "Row"),
    "column": ("列", "Column"),
    "message": ("说明", "Message"),
    "skipped_rows": ("未保存的行（作废发票）", "Rows not stored (voided invoices)"),
    "counted_total": ("{year} 年计入奖补的金额（元）", "Counted towards {year}'s voucher (CNY)"),
    "invoice_status": ("发票状态", "Invoice status"),
    "confirmed": ("服务商已确认", "Confirmed by provider"),
    "kind_red": ("红字", "red"),
    "kind_blue": ("蓝字", "blue"),
    "invoices_for_buyers": (
        "只有购买方账号可以查看和上传发票。",
        "Only buyer accounts list and upload invoices.",
    ),
    "no_invoices": ("没有符合条件的发票。", "No invoices match."),
    # invoice statuses (the engine's ledger)
    "counted": ("计入奖补", "counted"),
    "seller_not_key_provider": (
        "不计入：销售方在开票日不是重点算力服务商",
        "not counted: the seller was not a key compute provider on the issue date",
    ),
    "outside_policy_period": (
        "不计入：开票日期不在政策有效期内",
        "not counted: issued outside the policy period",
    ),
    "duplicate_invoice": (
        "不计入：同一发票已由其他单位先行申报",
        "not counted: the same invoice was claimed first",
    ),
    "self_dealing": (
        "不计入：购买方与销售方为同一单位或关联单位",
        "not counted: buyer and seller are the same or related units",
    ),
    "not_confirmed_by_provider": (
        "不计入：服务商尚未报送该发票（号码、购买方、金额一致）",
        "not counted: the provider has not reported this invoice (same number, buyer, amount)",
    ),
    "reversal_without_original": (
        "不计入：红字发票冲红的原蓝字发票未上传",
        "not counted: the blue invoice this red one reverses is not uploaded",
    ),
    "claimed_by_others_note": ("另有单位申报了同一号码", "another unit claims this number"),
    # upload errors, by the shape of the API's English message
    # awards on /my
    "my_awards": ("本单位奖补", "Our awards"),
    "period": ("期间", "Period"),
    "expected": ("预计（按当前数据测算）", "Expected (live facts)"),
    "granted": ("已确定（终稿及已拨付）", "Granted (final and disbursed)"),
    "awards_help": (
        "预计金额按当前登记和发票数据依现行政策测算，仅供参考；以公示后的终稿为准。",
        "Expected amounts are today's evaluation of the live facts under the policy; the "
        "final statements decide.",
    ),
    "computing_center_build": ("算力中心建设补贴", "computing centre construction"),
    "compute_voucher": ("算力券", "compute voucher"),
    "identifier_node": ("标识解析二级节点补贴", "identifier node"),
    # reviews page
    "reviews_help": (
        "单位申报的影响奖补金额的数值，待主管部门核实。接受后即成为已核实数值。",
        "Money-deciding values declared by units, waiting for an official. Accepting makes "
        "them the verified values.",
    ),
    "pending_reviews": ("待审核申报", "Declarations to review"),
    "object_type": ("对象", "Object"),
    "field": ("字段", "Field"),
    "declared_value": ("申报值", "Declared"),
    "verified_value": ("已核实值", "Verified"),
    "previous_value": ("申报时的值", "When declared"),
    "submitted_at": ("申报时间", "Submitted"),
    "review_create": ("新登记（接受即核实）", "new (accepting verifies it)"),
    "review_update": ("变更", "change"),
    "review_delete": ("申请删除（接受即删除）", "deletion (accepting deletes it)"),
    "deleted": ("删除", "deleted"),
    "stale": ("对象已变更，只能驳回", "object changed since; reject only"),
    "accept": ("接受", "Accept"),
    "comment_required": ("请填写驳回理由。", "Give a reason for rejecting."),
    "accepted_note": ("已接受申报 {id}。", "Declaration {id} accepted."),
    "rejected_note": ("已驳回申报 {id}。", "Declaration {id} rejected."),
    "review_conflict": ("未作改动：{detail}", "Nothing changed: {detail}"),
    "no_reviews": ("没有待审核的申报。", "Nothing waits for review."),
    "computing_center": ("算力中心", "computing centre"),
    "identifier_node_obj": ("标识解析二级节点", "identifier node"),
    "capacity_pflops": ("算力 (PFLOPS)", "capacity (PFLOPS)"),
    # what-if
    "what_if_help": (
        "改变一项政策参数，按当前数据比较各条款、各单位的奖补金额。只作测算，不保存。",
        "Change one parameter of the policy and compare, for the live facts, each clause's "
        "and unit's awards. Nothing is stored.",
    ),
    "parameter": ("参数", "Parameter"),
    "policy": ("政策", "Policy"),
    "current_value": ("现值", "Current value"),
    "new_value": ("新值", "New value"),
    "from_day": ("自（可选）", "From (optional)"),
    "from_day_help": ("留空表示整个政策期间", "empty: the whole policy period"),
    "compare": ("测算", "Compare"),
    "by_clause": ("按条款汇总", "By clause"),
    "by_unit": ("按单位", "By unit"),
    "current": ("现行政策", "As it stands"),
    "proposed": ("调整后", "Proposed"),
    "change": ("差额", "Change"),
    "as_of_note": ("按 {day} 的数据测算", "Facts as of {day}"),
    "no_differences": ("没有单位获得奖补。", "No unit is awarded anything."),
    "what_if_error": ("参数值无效：", "The value cannot be used:"),
    "clauses.computing_center_build.rate": ("算力中心：补贴比例", "centre: rate"),
    "clauses.computing_center_build.cap_per_unit": (
        "算力中心：每单位上限（元）",
        "centre: cap per unit",
    ),
    "clauses.computing_center_build.min_capacity_pflops": (
        "算力中心：算力门槛 (PFLOPS)",
        "centre: capacity threshold (PFLOPS)",
    ),
    "clauses.compute_voucher.rate": ("算力券：补贴比例", "voucher: rate"),
    "clauses.compute_voucher.cap_per_unit_per_year": (
        "算力券：每单位每年上限（元）",
        "voucher: cap per unit and year",
    ),
    "clauses.compute_voucher.spend_threshold": (
        "算力券：起补金额（元）",
        "voucher: spend threshold",
    ),
    "clauses.identifier_node.amount": ("二级节点：补贴金额（元）", "identifier node: amount"),
    # dashboard
    "awards_by_clause": ("各条款奖补金额（万元）", "Awards by clause (10k CNY)"),
    "awards_forecast": ("测算草稿", "forecast drafts"),
    "awards_approved": ("已审批", "approved"),
    "awards_published": ("已公示/终稿", "published/final"),
    "awards_disbursed": ("已拨付", "disbursed"),
    "reviews_pending": ("待审核申报", "Declarations to review"),
}
