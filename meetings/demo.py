"""Demo data of domain.md §6: the 青山县 tree, four branches, their 2026 meetings.

Idempotent: every object is looked up by its natural key first, so a second
run creates nothing and never overwrites what a user changed in between.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import (
    Finding,
    FindingCategory,
    Measure,
    Meeting,
    Membership,
    Organisation,
    Person,
)

DEMO_PASSWORD = "qingshan2026"

D = datetime.date
O = Organisation.OrgType  # noqa: E741
U = Organisation.UnitType
R = Membership.PartyRole
S = Measure.Status
T = Finding.FindingType
J = Meeting.Judgement

# (name, short name, org type, unit type, parent name, default meeting place)
ORGANISATIONS = [
    ("中共青山县委员会", "青山县委", O.COMMITTEE, U.AGENCY, None, "县委常委会议室"),
    ("中共青山县委宣传部", "县委宣传部", O.PROPAGANDA, U.AGENCY, "中共青山县委员会", ""),
    (
        "中共青山县委教育工作委员会",
        "县委教育工委",
        O.WORK_COMMITTEE,
        U.AGENCY,
        "中共青山县委员会",
        "",
    ),
    (
        "中共青山县城关第一实验学校支部委员会",
        "学校党支部",
        O.BRANCH,
        U.SCHOOL,
        "中共青山县委教育工作委员会",
        "学校三楼会议室",
    ),
    ("中共青山县卫生健康局党组", "县卫健局党组", O.GROUP, U.AGENCY, "中共青山县委员会", ""),
    (
        "中共青山县人民医院支部委员会",
        "医院党支部",
        O.BRANCH,
        U.HOSPITAL,
        "中共青山县卫生健康局党组",
        "门诊楼五楼会议室",
    ),
    ("中共青山县国资委委员会", "县国资委党委", O.COMMITTEE, U.AGENCY, "中共青山县委员会", ""),
    (
        "中共青山县城建投资集团委员会",
        "城建集团党委",
        O.COMMITTEE,
        U.ENTERPRISE,
        "中共青山县国资委委员会",
        "",
    ),
    (
        "中共青山县城建物业服务有限公司支部委员会",
        "物业公司党支部",
        O.BRANCH,
        U.ENTERPRISE,
        "中共青山县城建投资集团委员会",
        "公司二楼会议室",
    ),
    (
        "中共青山县石桥镇委员会",
        "石桥镇党委",
        O.COMMITTEE,
        U.TOWNSHIP,
        "中共青山县委员会",
        "镇政府三楼会议室",
    ),
    (
        "中共青山县石桥镇石桥村支部委员会",
        "石桥村党支部",
        O.BRANCH,
        U.VILLAGE,
        "中共青山县石桥镇委员会",
        "村委会议室",
    ),
    (
        "中共青山县石桥镇机关支部委员会",
        "镇机关党支部",
        O.BRANCH,
        U.AGENCY,
        "中共青山县石桥镇委员会",
        "",
    ),
    # The committee level (issue 12): two village branches that report to
    # 石桥镇党委, whose 书记 reviews them; the 镇党委's own report goes to 县委宣传部.
    (
        "中共青山县石桥镇柳溪村支部委员会",
        "柳溪村党支部",
        O.BRANCH,
        U.VILLAGE,
        "中共青山县石桥镇委员会",
        "村党群服务中心会议室",
    ),
    (
        "中共青山县石桥镇枫岭村支部委员会",
        "枫岭村党支部",
        O.BRANCH,
        U.VILLAGE,
        "中共青山县石桥镇委员会",
        "村委会二楼会议室",
    ),
]

SCHOOL = "中共青山县城关第一实验学校支部委员会"
HOSPITAL = "中共青山县人民医院支部委员会"
COMPANY = "中共青山县城建物业服务有限公司支部委员会"
TOWNSHIP = "中共青山县石桥镇委员会"
LIUXI = "中共青山县石桥镇柳溪村支部委员会"
FENGLING = "中共青山县石桥镇枫岭村支部委员会"
PROPAGANDA = "中共青山县委宣传部"

# (person, organisation, post, party role, username or None, is party member)
PEOPLE = [
    ("王丽华", SCHOOL, "校长", R.SECRETARY, "wanglihua", True),
    ("陈建军", SCHOOL, "副校长", R.DEPUTY, None, True),
    ("刘洋", SCHOOL, "教务主任", R.ORGANISATION, None, True),
    ("张敏", SCHOOL, "办公室主任", R.PUBLICITY, "zhangmin", True),
    ("赵磊", SCHOOL, "德育主任", R.DISCIPLINE, None, True),
    ("黄文静", SCHOOL, "信息专干", R.STAFF, None, False),
    ("李卫东", HOSPITAL, "院长", R.SECRETARY, "liweidong", True),
    ("吴芳", HOSPITAL, "副院长", R.DEPUTY, None, True),
    ("郑浩", HOSPITAL, "院办主任", R.PUBLICITY, None, True),
    ("钱玉梅", HOSPITAL, "护理部主任", R.DISCIPLINE, None, True),
    ("冯磊", HOSPITAL, "网络信息管理中心主任", R.MEMBER, None, True),
    ("何志强", COMPANY, "总经理", R.SECRETARY, "hezhiqiang", True),
    ("马丽", COMPANY, "品宣专员", R.PUBLICITY, None, True),
    ("高峰", COMPANY, "综合部经理", R.DISCIPLINE, None, True),
    ("林晓", COMPANY, "工会主席", R.COMMITTEE, None, True),
    ("罗建华", TOWNSHIP, "镇党委书记", R.SECRETARY, "luojianhua", True),
    ("蒋涛", TOWNSHIP, "镇党委副书记", R.DEPUTY, None, True),
    ("邓琳", TOWNSHIP, "宣传委员", R.PUBLICITY, None, True),
    ("杨明", TOWNSHIP, "石桥村党支部书记", R.COMMITTEE, None, True),
    ("陈秀兰", LIUXI, "村党支部书记、村委会主任", R.SECRETARY, "chenxiulan", True),
    ("刘德胜", LIUXI, "村党支部副书记", R.DEPUTY, None, True),
    ("孙晓梅", LIUXI, "村文书", R.PUBLICITY, None, True),
    ("赵国强", FENGLING, "村党支部书记、村委会主任", R.SECRETARY, "zhaoguoqiang", True),
    ("周桂芳", FENGLING, "村妇联主席", R.PUBLICITY, None, True),
    ("黄海涛", FENGLING, "村监委会主任", R.DISCIPLINE, None, True),
    ("周晓峰", PROPAGANDA, "副部长", R.COMMITTEE, "zhouxiaofeng", True),
    ("孙婷", PROPAGANDA, "干事", R.MEMBER, None, True),
]
REVIEWERS = {"周晓峰", "孙婷"}
REPORTING = {SCHOOL, HOSPITAL, COMPANY, TOWNSHIP, LIUXI, FENGLING}


def _m(content, person, deadline, status, dept="", note=""):
    """A measure row: deadline None with status 长期坚持 means 长期坚持."""
    return {
        "content": content,
        "person": person,
        "deadline": deadline,
        "status": status,
        "dept": dept,
        "note": note,
    }


def _f(category, ftype, title, details, measures, *, risk="中", cause=""):
    return {
        "category": category,
        "type": ftype,
        "title": title,
        "details": details,
        "measures": measures,
        "risk": risk,
        "cause": cause,
    }


MEETINGS = [
    {
        "org": SCHOOL,
        "title": "2026年第二季度意识形态分析研判会议",
        "date": D(2026, 6, 19),
        "time": "下午",
        "chair": "王丽华",
        "recorder": "张敏",
        "expected": 9,
        "present": 9,
        "attendees": ["王丽华", "陈建军", "刘洋", "张敏", "赵磊", "黄文静"],
        "study": "传达学习了县委教育工委关于加强教育系统网络意识形态工作的通知精神。",
        "briefings": "通报了上季度学校意识形态工作开展情况。",
        "judgement": J.MAINSTREAM_GOOD,
        "judgement_detail": "学校意识形态领域总体平稳，教职工思想稳定。",
        "requirements": "一是加强网络舆情监测；二是规范工作微信群管理。",
        "confirmed": True,
        "findings": [
            _f(
                "network",
                T.RISK,
                "对网络舆情的监测预警还不够及时",
                "个别涉校网络信息未能第一时间发现和处置。",
                [
                    _m(
                        "建立网络舆情日报制度，信息专干每日巡查涉校网络信息",
                        "黄文静",
                        D(2026, 8, 31),
                        S.DONE,
                        "办公室",
                        "已建立日报制度，7月起每日报送。",
                    )
                ],
            ),
            _f(
                "position",
                T.PROBLEM,
                "校园宣传栏内容更新不够及时",
                "部分宣传栏内容长期未更新，宣传阵地作用发挥不够。",
                [
                    _m(
                        "明确宣传栏管理责任人，每月更新一次宣传内容",
                        "张敏",
                        D(2026, 12, 31),
                        S.IN_PROGRESS,
                        "办公室",
                        "已完成两处宣传栏更新。",
                    )
                ],
                risk="低",
            ),
        ],
    },
    {
        "org": SCHOOL,
        "title": "2026年第三季度意识形态分析研判会议",
        "date": D(2026, 9, 24),
        "time": "下午",
        "chair": "王丽华",
        "recorder": "张敏",
        "expected": 9,
        "present": 8,
        "attendees": ["王丽华", "陈建军", "张敏", "赵磊", "黄文静"],
        "absentees": "刘洋（外出培训）",
        "scope": "支委会成员、各年级组组长、信息专干",
        "study": (
            "传达学习了《党委（党组）意识形态工作责任制实施办法》和县委教育工委"
            "《全县教育系统意识形态领域重大风险隐患排查整治工作实施方案》。"
        ),
        "briefings": "通报了县教育工委上半年意识形态工作专项督查反馈意见。",
        "statements": "参会人员围绕责任制落实、阵地管理、教职工思想动态等方面进行了分析研判发言。",
        "judgement": J.MAINSTREAM_GOOD,
        "judgement_detail": "意识形态工作责任制落实比较到位，学校对意识形态工作领导坚强有力。",
        "requirements": (
            "一是扎实做好意识形态工作责任制的贯彻落实；二是加强工作微信群管理；"
            "三是做好教职工思想动态摸排。"
        ),
        "speech": "王丽华在总结讲话中要求，各年级组要守土有责、守土尽责，把意识形态工作抓在日常。",
        "confirmed": True,
        "findings": [
            _f(
                "study",
                T.PROBLEM,
                "个别党员学习缺乏热情",
                "部分青年教师对理论学习重视不够，学习强国积分偏低。",
                [
                    _m(
                        "把思想意识形态教育纳入教师学习计划，每月集中学习1次并撰写学习笔记",
                        "陈建军",
                        D(2026, 12, 31),
                        S.IN_PROGRESS,
                        "教务处",
                        "已组织集中学习2次。",
                    )
                ],
            ),
            _f(
                "team",
                T.PROBLEM,
                "基层宣讲队伍有待进一步加强",
                "宣讲员数量不足，缺乏系统培训。",
                [
                    _m(
                        "从骨干教师中选拔3名宣讲员，建立宣讲员档案",
                        "张敏",
                        D(2026, 11, 30),
                        S.DONE,
                        "办公室",
                        "已选拔3名宣讲员并建档。",
                    )
                ],
                risk="低",
            ),
            _f(
                "network",
                T.RISK,
                "教职工工作微信群存在转发与工作无关信息现象",
                "个别年级组工作群转发与工作无关的信息，存在不良信息传播隐患。",
                [
                    _m(
                        "重申工作微信群只能用于日常工作和传播正能量信息，信息专干每周巡查",
                        "黄文静",
                        None,
                        S.ONGOING,
                        "办公室",
                    )
                ],
            ),
            _f(
                "religion",
                T.RISK,
                "对本单位宗教信仰情况信息掌握不全面",
                "对教职工宗教信仰情况缺乏系统摸底。",
                [
                    _m(
                        "开展一次教职工宗教信仰情况摸底；支部开展“我是党员，我不信教”主题党日",
                        "王丽华",
                        D(2026, 10, 31),
                        S.IN_PROGRESS,
                        "支部",
                        "摸底表已下发，尚未汇总。",
                    )
                ],
                risk="高",
            ),
            _f(
                "mechanism",
                T.PROBLEM,
                "意识形态领域工作的一些长效机制有待进一步完善",
                "意识形态工作责任清单多年未修订。",
                [
                    _m(
                        "修订《学校意识形态工作责任清单》，把意识形态工作纳入教师考核",
                        "刘洋",
                        D(2026, 12, 15),
                        S.NOT_STARTED,
                        "教务处",
                    )
                ],
            ),
        ],
    },
    {
        "org": SCHOOL,
        "title": "2026年第四季度意识形态分析研判会议",
        "date": D(2026, 10, 29),
        "time": "下午",
        "chair": "王丽华",
        "recorder": "张敏",
        "expected": 9,
        "present": 9,
        "attendees": ["王丽华", "陈建军", "刘洋", "张敏", "赵磊", "黄文静"],
        "study": "传达学习了县委宣传部《关于做好第四季度意识形态分析研判工作的通知》。",
        "briefings": "通报了第三季度整改措施落实情况。",
        "judgement": J.STABLE,
        "requirements": "一是抓好三季度问题整改；二是做好期末教职工思想动态摸排。",
        "confirmed": False,
        "findings": [
            _f(
                "thinking",
                T.TENDENCY,
                "部分教师对绩效考核改革存在疑虑",
                "绩效考核方案调整后，个别教师在工作群中表达不满情绪。",
                [
                    _m(
                        "召开教职工座谈会解读绩效考核方案，做好个别谈心谈话",
                        "陈建军",
                        D(2026, 12, 20),
                        S.IN_PROGRESS,
                        "人事处",
                    )
                ],
            ),
            _f(
                "opinion",
                T.PROBLEM,
                "正面宣传报道数量偏少",
                "学校公众号本季度发布师德典型报道较少。",
                [
                    _m(
                        "每月在学校公众号推出一期师德师风典型报道",
                        "张敏",
                        None,
                        S.ONGOING,
                        "办公室",
                    )
                ],
                risk="低",
            ),
        ],
    },
    {
        "org": HOSPITAL,
        "title": "2026年第三季度意识形态分析研判会议",
        "date": D(2026, 9, 18),
        "time": "下午",
        "chair": "李卫东",
        "recorder": "郑浩",
        "expected": 5,
        "present": 5,
        "attendees": ["李卫东", "吴芳", "郑浩", "钱玉梅", "冯磊"],
        "briefings": "通报了本院意识形态工作专题检查结果。",
        "judgement": J.MAINSTREAM_GOOD,
        "judgement_detail": "同时发现了一些存在问题或苗头。",
        "requirements": (
            "一是利用院内媒体营造正面舆论氛围；二是建立意识形态工作联席会议制度；"
            "三是严格执行宣传稿件审核制度；四是开展全院深入分析研判；五是做好年末考评。"
        ),
        "confirmed": True,
        "findings": [
            _f(
                "thinking",
                T.TENDENCY,
                "年轻职工思想活跃，对政策学习缺乏热情",
                "部分年轻医务人员参加政治理论学习的积极性不高。",
                [
                    _m(
                        "开展“医德医风大讲堂”，每季度1期",
                        "吴芳",
                        D(2026, 12, 31),
                        S.IN_PROGRESS,
                        "院办",
                    )
                ],
            ),
            _f(
                "network",
                T.RISK,
                "职工对微博、微信等新媒体兴趣渐浓，网络监管有待进一步加强",
                "院内工作群偶有转发未经核实的信息。",
                [
                    _m(
                        "网络信息管理中心及时监控和删除网络不良信息，落实工作群使用规定",
                        "冯磊",
                        None,
                        S.ONGOING,
                        "网络信息管理中心",
                    )
                ],
            ),
            _f(
                "non-party",
                T.PROBLEM,
                "对本单位党外人员意识形态教育管理不够严格",
                "医院党外高知较多，联系沟通不够经常。",
                [
                    _m(
                        "建立党员联系党外骨干制度，每半年谈心谈话1次",
                        "李卫东",
                        D(2027, 1, 31),
                        S.NOT_STARTED,
                        "支部",
                    )
                ],
            ),
            _f(
                "thinking",
                T.PROBLEM,
                "意识形态谈心谈话开展相对较少",
                "支委谈心谈话次数不足，覆盖面不广。",
                [_m("支委每人每季度谈心谈话不少于5人次", "郑浩", None, S.IN_PROGRESS, "支部")],
                risk="低",
            ),
        ],
    },
    {
        "org": COMPANY,
        "title": "2026年第三季度意识形态工作会商研判",
        "type": Meeting.MeetingType.CONSULTATION,
        "date": D(2026, 9, 25),
        "time": "上午",
        "chair": "何志强",
        "recorder": "马丽",
        "expected": 8,
        "present": 8,
        "attendees": ["何志强", "马丽", "高峰", "林晓"],
        "scope": "支委成员及各项目部负责人",
        "study": "传达学习了集团党委第三季度意识形态工作会议精神。",
        "judgement": J.STABLE,
        "confirmed": True,
        "findings": [
            _f(
                "thinking",
                T.TENDENCY,
                "受项目回款影响，部分员工绩效奖金延迟发放，可能产生不满情绪",
                "个别项目部员工对奖金发放时间有议论。",
                [
                    _m(
                        "及时沟通，防患未然：召开职工座谈会说明情况",
                        "何志强",
                        D(2026, 10, 31),
                        S.DONE,
                        "综合部",
                        "10月15日已召开座谈会。",
                    )
                ],
                risk="高",
            ),
            _f(
                "opinion",
                T.PROBLEM,
                "应对突发事件和公共危机事件时引导舆论的本领需要进一步增强",
                "公司尚无成文的舆情处置办法。",
                [
                    _m(
                        "修订公司舆情处置工作办法，设置公司新闻发言人",
                        "马丽",
                        D(2026, 12, 31),
                        S.IN_PROGRESS,
                        "综合部",
                    )
                ],
            ),
            _f(
                "network",
                T.RISK,
                "员工使用抖音等新媒体时对不良言论难辨真伪",
                "部分一线员工网络素养不高。",
                [
                    _m(
                        "开展一次网络素养专题培训",
                        "马丽",
                        D(2026, 11, 30),
                        S.IN_PROGRESS,
                        "综合部",
                    )
                ],
            ),
            _f(
                "responsibility",
                T.PROBLEM,
                "意识形态工作与中心业务融合推进不够，“重业务轻思想”",
                "经营班子对意识形态工作研究不多。",
                [
                    _m(
                        "支委会每季度专题研究意识形态工作1次，纳入经营班子考核",
                        "高峰",
                        None,
                        S.ONGOING,
                        "支部",
                    )
                ],
            ),
        ],
    },
    {
        "org": TOWNSHIP,
        "title": "2026年第三季度意识形态分析研判会议",
        "date": D(2026, 9, 22),
        "time": "上午",
        "chair": "罗建华",
        "recorder": "邓琳",
        "expected": 12,
        "present": 11,
        "attendees": ["罗建华", "蒋涛", "邓琳", "杨明"],
        "absentees": "镇机关党支部书记（请假）",
        "scope": "镇党委班子成员、各村（社区）党支部书记",
        "study": "传达学习了县委宣传部《关于做好第三季度意识形态分析研判工作的通知》。",
        "judgement": J.STABLE,
        "confirmed": False,
        "findings": [
            _f(
                "education",
                T.PROBLEM,
                "开展爱国主义教育、形势政策教育、警示教育较少",
                "本年度专题教育活动次数偏少。",
                [
                    _m(
                        "组织观看警示教育片、参观警示教育基地",
                        "邓琳",
                        D(2026, 10, 31),
                        S.DONE,
                        "党政办",
                    )
                ],
                risk="低",
            ),
            _f(
                "responsibility",
                T.PROBLEM,
                "班子成员对分管领域意识形态工作抓落实还不够，“一岗双责”落实不到位",
                "个别班子成员对分管领域意识形态工作过问不多。",
                [
                    _m(
                        "班子成员每半年向党委专题汇报分管领域意识形态工作",
                        "蒋涛",
                        None,
                        S.ONGOING,
                        "党政办",
                    )
                ],
                cause="不想抓、不屑抓、不会抓的问题不同程度存在。",
            ),
            _f(
                "network",
                T.PROBLEM,
                "个别村组干部网络意识形态工作不到位",
                "部分村级微信群缺乏管理。",
                [
                    _m(
                        "村级微信群实行“群主负责制”，镇宣传委员季度抽查",
                        "邓琳",
                        None,
                        S.IN_PROGRESS,
                        "宣传办",
                    )
                ],
            ),
            _f(
                "mobile",
                T.PROBLEM,
                "外出务工党员流动性大，传统宣传教育方式难以全覆盖",
                "流动党员参加组织生活不经常。",
                [
                    _m(
                        "借助网络平台开展流动党员线上学习",
                        "杨明",
                        D(2026, 12, 31),
                        S.IN_PROGRESS,
                        "石桥村党支部",
                    )
                ],
            ),
            _f(
                "religion",
                T.RISK,
                "农村留守老人存在被非法宗教拉拢风险",
                "个别村发现非法宗教宣传品。",
                [],  # no measure yet: the draft report shows the check
                risk="高",
            ),
        ],
    },
    {
        "org": TOWNSHIP,
        "title": "2026年第四季度意识形态分析研判会议",
        "date": D(2026, 11, 18),
        "time": "上午",
        "chair": "罗建华",
        "recorder": "邓琳",
        "expected": 12,
        "present": 12,
        "attendees": ["罗建华", "蒋涛", "邓琳", "杨明"],
        "scope": "镇党委班子成员、各村（社区）党支部书记",
        "study": (
            "传达学习了县委宣传部《关于做好第四季度意识形态分析研判工作的通知》"
            "和县委意识形态工作领导小组会议精神。"
        ),
        "briefings": "通报了各村党支部第三季度意识形态分析研判报告审核情况。",
        "judgement": J.POSITIVE,
        "judgement_detail": "全镇党员干部群众思想总体稳定，未发生重大意识形态领域问题。",
        "requirements": (
            "一是督促各村党支部按时报送季度分析研判报告；二是抓好村级微信群季度抽查；"
            "三是做好年终意识形态工作责任制考核准备。"
        ),
        "speech": (
            "罗建华在总结讲话中要求，各村党支部书记要切实履行第一责任人职责，守好农村思想文化阵地。"
        ),
        "confirmed": True,
        "findings": [
            _f(
                "position",
                T.PROBLEM,
                "部分村宣传栏、农家书屋阵地作用发挥不充分",
                "个别村宣传栏内容陈旧，农家书屋开放时间不固定。",
                [
                    _m(
                        "各村明确宣传栏专人管理，每月更新一次内容；农家书屋实行固定开放日",
                        "邓琳",
                        D(2026, 12, 31),
                        S.IN_PROGRESS,
                        "宣传办",
                    )
                ],
                risk="低",
            ),
            _f(
                "thinking",
                T.TENDENCY,
                "征地补偿政策调整后，个别群众存在误解",
                "部分群众对补偿标准调整的依据了解不多，在村民微信群中有议论。",
                [
                    _m(
                        "组织镇村干部入户宣讲政策，召开院坝会答疑解惑",
                        "蒋涛",
                        D(2026, 12, 31),
                        S.IN_PROGRESS,
                        "党政办",
                    )
                ],
            ),
        ],
    },
    {
        "org": LIUXI,
        "title": "2026年第三季度意识形态分析研判会议",
        "date": D(2026, 9, 16),
        "time": "上午",
        "chair": "陈秀兰",
        "recorder": "孙晓梅",
        "expected": 7,
        "present": 7,
        "attendees": ["陈秀兰", "刘德胜", "孙晓梅"],
        "scope": "村党支部委员、村民小组长、党员代表",
        "study": "传达学习了镇党委第三季度意识形态工作会议精神。",
        "briefings": "通报了村级微信群管理和农家书屋使用情况。",
        "judgement": J.MAINSTREAM_GOOD,
        "judgement_detail": "全村党员群众思想总体稳定，对乡村振兴各项政策拥护支持。",
        "requirements": "一是落实村级微信群群主负责制；二是利用院坝会宣讲惠民政策。",
        "confirmed": True,
        "findings": [
            _f(
                "religion",
                T.RISK,
                "个别外来人员在村内散发宗教宣传品",
                "9月初在村民小组发现非法宗教宣传资料，对象多为留守老人。",
                [
                    _m(
                        "配合镇统战部门开展排查，召开院坝会宣讲宗教政策和法律法规",
                        "陈秀兰",
                        D(2026, 12, 31),
                        S.IN_PROGRESS,
                        "村两委",
                        "已召开院坝会3次。",
                    )
                ],
                risk="高",
            ),
            _f(
                "study",
                T.PROBLEM,
                "部分老党员参加集中学习不经常",
                "年龄较大、行动不便的党员参加“三会一课”次数偏少。",
                [
                    _m(
                        "对行动不便的老党员实行送学上门，每季度不少于1次",
                        "孙晓梅",
                        None,
                        S.ONGOING,
                        "村党支部",
                    )
                ],
                risk="低",
            ),
        ],
    },
    {
        "org": LIUXI,
        "title": "2026年第四季度意识形态分析研判会议",
        "date": D(2026, 11, 12),
        "time": "上午",
        "chair": "陈秀兰",
        "recorder": "孙晓梅",
        "expected": 7,
        "present": 6,
        "attendees": ["陈秀兰", "孙晓梅"],
        "absentees": "刘德胜（在镇里参加培训）",
        "scope": "村党支部委员、村民小组长、党员代表",
        "study": "传达学习了县委宣传部《关于做好第四季度意识形态分析研判工作的通知》。",
        "briefings": "通报了第三季度宗教宣传品排查和院坝会宣讲情况。",
        "judgement": J.STABLE,
        "requirements": "一是加强村民微信群日常巡查；二是丰富冬季群众文化活动。",
        "confirmed": True,
        "findings": [
            _f(
                "network",
                T.PROBLEM,
                "村民微信群偶有转发未经核实的信息",
                "个别村民在村民微信群转发未经核实的网络传言，群主未及时提醒。",
                [
                    _m(
                        "落实村民微信群群主负责制，村文书每周巡查，发现不实信息及时澄清",
                        "孙晓梅",
                        D(2026, 12, 31),
                        S.IN_PROGRESS,
                        "村两委",
                    )
                ],
            ),
            _f(
                "culture",
                T.PROBLEM,
                "群众文化活动形式单一",
                "村文化广场活动以广场舞为主，青年群众参与较少。",
                [
                    _m(
                        "结合春节组织文艺汇演和“好婆婆、好媳妇”评选活动",
                        "刘德胜",
                        D(2027, 1, 31),
                        S.NOT_STARTED,
                        "村委会",
                    )
                ],
                risk="低",
            ),
        ],
    },
    {
        "org": FENGLING,
        "title": "2026年第三季度意识形态分析研判会议",
        "date": D(2026, 9, 21),
        "time": "下午",
        "chair": "赵国强",
        "recorder": "周桂芳",
        "expected": 6,
        "present": 6,
        "attendees": ["赵国强", "周桂芳", "黄海涛"],
        "scope": "村党支部委员、村民代表",
        "study": "传达学习了镇党委第三季度意识形态工作会议精神。",
        "briefings": "通报了外出务工党员线上学习情况。",
        "judgement": J.MAINSTREAM_GOOD,
        "requirements": "一是加强外出务工党员管理；二是明确村两委班子成员意识形态工作分工。",
        "confirmed": True,
        "findings": [
            _f(
                "mobile",
                T.PROBLEM,
                "外出务工党员参加组织生活不经常",
                "全村12名外出务工党员中，有5名本季度未参加线上学习。",
                [
                    _m(
                        "建立外出务工党员微信学习群，每月推送学习资料并线上交流",
                        "周桂芳",
                        None,
                        S.ONGOING,
                        "村党支部",
                    )
                ],
            ),
            _f(
                "responsibility",
                T.PROBLEM,
                "村两委班子成员“一岗双责”意识不强",
                "个别村干部认为意识形态工作是书记一个人的事。",
                [
                    _m(
                        "在支部委员会上明确班子成员意识形态工作分工，年底述职时一并报告",
                        "赵国强",
                        D(2026, 10, 31),
                        S.DONE,
                        "村党支部",
                        "10月支部委员会已明确分工。",
                    )
                ],
            ),
        ],
    },
    {
        "org": FENGLING,
        "title": "2026年第四季度意识形态分析研判会议",
        "date": D(2026, 11, 20),
        "time": "下午",
        "chair": "赵国强",
        "recorder": "周桂芳",
        "expected": 6,
        "present": 6,
        "attendees": ["赵国强", "周桂芳", "黄海涛"],
        "scope": "村党支部委员、村民代表",
        "study": "传达学习了县委宣传部《关于做好第四季度意识形态分析研判工作的通知》。",
        "briefings": "通报了村道硬化工程网络舆情处置情况。",
        "judgement": J.STABLE,
        "requirements": "一是及时公开村务信息；二是做好低保评定政策解释。",
        "confirmed": True,
        "findings": [
            _f(
                "network",
                T.RISK,
                "个别村民在短视频平台发布涉村务的不实视频",
                "有村民就村道硬化工程发布不实短视频，引发部分群众议论。",
                [
                    _m(
                        "及时公开村道硬化工程资金使用情况，村干部入户说明情况",
                        "赵国强",
                        D(2026, 11, 30),
                        S.DONE,
                        "村两委",
                        "11月25日已在村务公开栏公开，并入户说明。",
                    )
                ],
            ),
            _f(
                "thinking",
                T.TENDENCY,
                "部分群众对低保评定存在不同看法",
                "个别群众认为低保评定不够透明。",
                [
                    _m(
                        "低保评定实行村民代表大会评议和张榜公示，接受群众监督",
                        "黄海涛",
                        D(2027, 1, 15),
                        S.IN_PROGRESS,
                        "村监委会",
                    )
                ],
            ),
        ],
    },
]


@transaction.atomic
def load_records():
    """Create the demo tree, people, accounts and meetings; return what was
    created and the organisations by name (ideology_review.demo adds the reports)."""
    created = {"organisations": 0, "people": 0, "users": 0, "meetings": 0, "reports": 0}
    orgs = {}
    for name, short, org_type, unit_type, parent, place in ORGANISATIONS:
        org, was_created = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "short_name": short,
                "org_type": org_type,
                "unit_type": unit_type,
                "parent": orgs.get(parent),
                "address": place,
                "must_report": name in REPORTING,
            },
        )
        orgs[name] = org
        created["organisations"] += was_created

    User = get_user_model()
    people = {}
    for name, org_name, post, party_role, username, is_member in PEOPLE:
        org = orgs[org_name]
        person = Person.objects.filter(name=name, memberships__organisation=org).first()
        if person is None:
            person = Person.objects.create(name=name, is_party_member=is_member)
            created["people"] += 1
        role = Membership.Role.REVIEWER if name in REVIEWERS else ""
        Membership.objects.get_or_create(
            person=person,
            organisation=org,
            defaults={"post": post, "party_role": party_role, "role": role},
        )
        if username and person.user_id is None:
            user, was_created = User.objects.get_or_create(username=username)
            if was_created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                created["users"] += 1
            person.user = user
            person.save(update_fields=["user"])
        people[(org_name, name)] = person

    admin, was_created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if was_created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        created["users"] += 1

    categories = {c.code: c for c in FindingCategory.objects.all()}
    for spec in MEETINGS:
        org = orgs[spec["org"]]
        if Meeting.objects.filter(organisation=org, title=spec["title"]).exists():
            continue
        created["meetings"] += 1
        _create_meeting(spec, org, people, categories)
    return created, orgs


def _create_meeting(spec, org, people, categories):
    person = people.get
    meeting = Meeting.objects.create(
        organisation=org,
        title=spec["title"],
        meeting_type=spec.get("type", Meeting.MeetingType.ANALYSIS),
        date=spec["date"],
        time_of_day=spec["time"],
        place=org.address,
        chair=person((spec["org"], spec["chair"])),
        recorder=person((spec["org"], spec["recorder"])),
        expected_count=spec["expected"],
        present_count=spec["present"],
        absentees=spec.get("absentees", ""),
        attending_scope=spec.get("scope", ""),
        study_content=spec.get("study", ""),
        briefings=spec.get("briefings", ""),
        statements=spec.get("statements", ""),
        judgement=spec.get("judgement", ""),
        judgement_detail=spec.get("judgement_detail", ""),
        requirements=spec.get("requirements", ""),
        concluding_speech=spec.get("speech", ""),
        status=Meeting.Status.CONFIRMED if spec["confirmed"] else Meeting.Status.DRAFT,
        # confirmed the evening of the meeting (the page says when)
        confirmed_at=(
            timezone.make_aware(datetime.datetime.combine(spec["date"], datetime.time(18)))
            if spec["confirmed"]
            else None
        ),
    )
    meeting.attendees.set([person((spec["org"], n)) for n in spec["attendees"]])
    for order, f in enumerate(spec["findings"], start=1):
        finding = Finding.objects.create(
            organisation=org,
            meeting=meeting,
            category=categories[f["category"]],
            finding_type=f["type"],
            title=f["title"],
            details=f["details"],
            cause=f["cause"],
            risk_level=f["risk"],
            order=order,
        )
        for m_order, m in enumerate(f["measures"], start=1):
            Measure.objects.create(
                finding=finding,
                content=m["content"],
                responsible_person=person((spec["org"], m["person"])),
                responsible_dept=m["dept"],
                deadline=m["deadline"],
                long_term=m["status"] == S.ONGOING,
                status=m["status"],
                progress_note=m["note"],
                order=m_order,
            )
