"""Write a deterministic, realistic campaign of any size, for the benchmarks of issue 6.

    python benchmarks/generate.py --units 10000 --seed 1 OUT

The campaign is Zhengzhou's second batch (docs/format.md, /work/shared/DOMAIN.md):
OUT/campaign.toml with the 17 county-level areas, and OUT/units/<county code>/<id>.toml,
about 2 KB each, with the states a real campaign has on 2023-11-20. Only the standard
library is used, and nothing depends on the clock or on set order: one seed, one output,
byte for byte. ``--invalid N`` plants N broken files, one problem each, and prints them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

START = dt.date(2023, 9, 9)
END = dt.date(2024, 1, 31)
AS_OF = dt.date(2023, 11, 20)
# Dates are handled as day numbers from START: cheap to draw and compare.
LAST = (END - START).days
TODAY = (AS_OF - START).days
ISO = [(START + dt.timedelta(days=n)).isoformat() for n in range(LAST + 1)]

MEASURES = (
    ("study", "理论学习"),
    ("research", "调查研究"),
    ("development", "推动发展"),
    ("rectification", "检视整改"),
    ("institutions", "建章立制"),
)
# Study comes first in a campaign, institutions last: the due dates follow.
DUE_RANGE = {
    "study": (6, 100),
    "research": (25, 120),
    "development": (40, LAST),
    "rectification": (30, LAST),
    "institutions": (60, LAST),
}
TASK_ID_PREFIX = {
    "study": "xx",
    "research": "dy",
    "development": "fz",
    "rectification": "zg",
    "institutions": "jz",
}
# How many tasks a measure lists: 0 (the measure is one task) to 4.
TASK_COUNTS = (0, 1, 2, 3, 4)
TASK_COUNT_WEIGHTS = (5, 15, 25, 30, 25)

INVALID_KINDS = ("E101", "E104", "E201", "E005")


@dataclass(frozen=True, slots=True)
class County:
    """A county-level area: its code and name, and how its units are named."""

    code: str
    name: str
    slug: str
    party: str  # what follows 中共 in its committees' names
    kind: str  # district, county, zone or municipal
    weight: int  # relative number of units, roughly by population


COUNTIES = (
    County("410102", "中原区", "zhongyuan", "郑州市中原区", "district", 9),
    County("410103", "二七区", "erqi", "郑州市二七区", "district", 8),
    County("410104", "管城回族区", "guancheng", "郑州市管城回族区", "district", 6),
    County("410105", "金水区", "jinshui", "郑州市金水区", "district", 12),
    County("410106", "上街区", "shangjie", "郑州市上街区", "district", 2),
    County("410108", "惠济区", "huiji", "郑州市惠济区", "district", 4),
    County("410122", "中牟县", "zhongmu", "中牟县", "county", 6),
    County("410181", "巩义市", "gongyi", "巩义市", "county", 7),
    County("410182", "荥阳市", "xingyang", "荥阳市", "county", 6),
    County("410183", "新密市", "xinmi", "新密市", "county", 6),
    County("410184", "新郑市", "xinzheng", "新郑市", "county", 7),
    County("410185", "登封市", "dengfeng", "登封市", "county", 6),
    County("4101ZD", "郑东新区", "zhengdong", "郑州市郑东新区工作委员会", "zone", 5),
    County("4101JK", "经开区", "jingkai", "郑州经济技术开发区工作委员会", "zone", 3),
    County("4101GX", "高新区", "gaoxin", "郑州高新技术产业开发区工作委员会", "zone", 3),
    County("4101HK", "航空港区", "hkg", "郑州航空港经济综合实验区工作委员会", "zone", 5),
    County("4101SZ", "市直", "sz", "郑州市", "municipal", 5),
)

SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"),
    ("徐", "xu"), ("孙", "sun"), ("胡", "hu"), ("朱", "zhu"), ("高", "gao"),
    ("郭", "guo"), ("马", "ma"), ("罗", "luo"), ("梁", "liang"), ("宋", "song"),
    ("郑", "zheng"), ("韩", "han"), ("唐", "tang"), ("冯", "feng"), ("董", "dong"),
    ("程", "cheng"), ("曹", "cao"), ("袁", "yuan"), ("邓", "deng"), ("许", "xu"),
    ("彭", "peng"), ("吕", "lv"), ("苏", "su"), ("蒋", "jiang"), ("蔡", "cai"),
    ("贾", "jia"), ("丁", "ding"), ("魏", "wei"), ("薛", "xue"), ("叶", "ye"),
    ("阎", "yan"), ("潘", "pan"), ("杜", "du"), ("夏", "xia"), ("汪", "wang"),
    ("田", "tian"), ("任", "ren"), ("姜", "jiang"), ("范", "fan"), ("石", "shi"),
    ("姚", "yao"), ("孔", "kong"), ("崔", "cui"), ("毛", "mao"), ("秦", "qin"),
    ("侯", "hou"), ("孟", "meng"), ("段", "duan"), ("尹", "yin"), ("常", "chang"),
)  # fmt: skip
GIVEN_NAMES = (
    ("伟", "wei"), ("红", "hong"), ("强", "qiang"), ("静", "jing"), ("洋", "yang"),
    ("敏", "min"), ("磊", "lei"), ("军", "jun"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("涛", "tao"), ("超", "chao"), ("凯", "kai"), ("鑫", "xin"),
    ("秀兰", "xiulan"), ("桂英", "guiying"), ("建国", "jianguo"), ("建华", "jianhua"),
    ("建伟", "jianwei"), ("卫东", "weidong"), ("红梅", "hongmei"), ("丽娟", "lijuan"),
    ("海燕", "haiyan"), ("晓丽", "xiaoli"), ("志强", "zhiqiang"), ("振华", "zhenhua"),
    ("国强", "guoqiang"), ("文博", "wenbo"), ("亚楠", "yanan"), ("晓燕", "xiaoyan"),
    ("春华", "chunhua"), ("玉梅", "yumei"), ("少辉", "shaohui"), ("新民", "xinmin"),
    ("永强", "yongqiang"), ("晓峰", "xiaofeng"), ("丽萍", "liping"), ("素芳", "sufang"),
    ("宏伟", "hongwei"), ("建设", "jianshe"), ("红军", "hongjun"), ("保国", "baoguo"),
    ("朝阳", "chaoyang"), ("思远", "siyuan"), ("梦瑶", "mengyao"), ("佳琪", "jiaqi"),
    ("振宇", "zhenyu"), ("浩然", "haoran"), ("一鸣", "yiming"), ("晨阳", "chenyang"),
    ("雪梅", "xuemei"), ("秀梅", "xiumei"), ("春燕", "chunyan"), ("国庆", "guoqing"),
    ("红霞", "hongxia"), ("晶晶", "jingjing"), ("志刚", "zhigang"), ("东升", "dongsheng"),
    ("立新", "lixin"), ("文静", "wenjing"), ("海涛", "haitao"), ("瑞霞", "ruixia"),
)  # fmt: skip

# Place names of Zhengzhou (the seed document, the examples, the map).
PLACES = (
    "林山寨", "须水", "德化街", "建中街", "北下街", "南关", "花园路", "济源路", "古荥",
    "官渡", "竹林", "广武", "曲梁", "龙湖", "嵩阳", "石佛", "滨河", "明湖", "龙子湖",
    "如意湖", "普惠路", "三官庙", "长江路", "淮河路", "铭功路", "解放路", "人民路",
    "文化路", "丰产路", "未来路", "经八路", "东风路", "杜岭", "商城路", "紫荆山",
    "圃田", "祥云", "豫兴", "九龙", "郑庵", "侯寨", "马寨", "刘寨", "樱桃沟", "白沙",
    "老鸦陈", "双桥", "城关", "大孟", "米村", "超化", "大隗", "告成", "大冶", "卢店",
    "颍阳", "孝义", "米河", "回郭镇", "新村", "汜水", "高山", "刘集", "姚家", "韩寺",
)  # fmt: skip
VILLAGE_STEMS = "柳杨李王张刘石马黄东西南北古新大小白双龙枣桃杏槐柏孙赵郭孟高"
VILLAGE_ENDS = "庄寨岗营沟店湖河坡楼屯堡集桥园湾洼庙岭窑"
BRANDS = (
    "华智", "中原", "宏达", "鑫源", "豫龙", "嵩岳", "天地", "黄河", "金盾", "锦程",
    "恒信", "瑞丰", "汇通", "长城", "新科", "中联", "九鼎", "鼎盛", "亿通", "国泰",
)  # fmt: skip
INDUSTRIES = (
    "信息技术", "汽车零部件", "新材料", "智能装备", "物流", "建设工程", "食品",
    "电子科技", "生物医药", "铝业", "耐火材料", "服装", "文化旅游", "水务", "燃气",
    "智能终端科技", "通航产业发展", "国有资产投资经营",
)  # fmt: skip
BUREAUS = (
    "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "民政局", "财政局",
    "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局",
    "城市管理局", "交通运输局", "农业农村局", "水利局", "商务局", "文化广电和旅游局",
    "卫生健康委员会", "应急管理局", "市场监督管理局", "医疗保障局", "退役军人事务局",
    "审计局", "信访局", "国有资产监督管理委员会",
)  # fmt: skip

TITLES = {
    "study": (
        "理论学习中心组专题学习:习近平新时代中国特色社会主义思想的世界观和方法论",
        "集中学习《习近平著作选读》第一卷、第二卷",
        "学习贯彻全市主题教育工作会议精神",
        "“三会一课”集中学习主题教育应知应会",
        "主要负责同志讲专题党课",
        "开展“学思想 强党性”专题研讨",
        "观看警示教育片并交流心得体会",
        "老党员、行动不便党员送学上门",
        "主题党日:赴二七纪念塔开展现场教学",
        "读书班分专题研讨交流",
        "专家辅导报告会:深入学习《习近平著作选读》",
        "撰写学习心得体会并交流",
        "赴焦裕禄干部学院开展现场研学",
    ),
    "research": (
        "领题调研:优化营商环境",
        "领题调研:重大项目建设",
        "领题调研:老旧小区改造与物业管理",
        "困难群众需求入户走访",
        "企业生产经营困难调研(“万人助万企”)",
        "群众急难愁盼问题大走访",
        "“四不两直”深入基层一线调研",
        "典型案例剖析(正反面案例各1个)",
        "调研成果交流会",
        "“一刻钟便民生活圈”建设调研",
        "高标准农田建设情况调研",
        "一线职工诉求座谈",
        "调研报告汇编及成果转化清单",
    ),
    "development": (
        "“万人助万企”活动:领导干部包联重点企业走访全覆盖",
        "“三个一批”项目建设:第四季度集中开工项目推进",
        "为群众办实事清单(第一批)",
        "社区便民服务事项扩容至100项以上",
        "“五星”支部创建",
        "村集体经济增收项目",
        "冬季供暖问题排查回应",
        "“书记项目”推进",
        "高校毕业生来郑留郑就业服务",
        "“服务百姓健康行动”帮扶义诊",
        "课后服务提质增效",
        "四季度经济运行调度,确保全年目标任务完成",
    ),
    "rectification": (
        "检视问题清单第一批整改销号",
        "风险隐患排查(燃气、自建房、消防)",
        "“1+9+1”专项整治:服务企业最后一公里",
        "“1+9+1”专项整治:服务群众最后一米",
        "整改落实情况“回头看”",
        "党群服务中心设立综合窗口,实现“一窗受理”",
        "召开专题组织生活会",
        "召开主题教育专题民主生活会",
        "群众反映问题整改销号",
        "安全生产风险隐患排查",
        "12345热线群众反映集中问题整治",
        "传达学习全市党纪教育警示大会精神",
    ),
    "institutions": (
        "形成主题教育制度成果汇编",
        "完善“三会一课”制度",
        "修订“第一议题”制度",
        "建立重点事项台账管理制度",
        "建立党员联系服务群众长效机制",
        "修订党组织议事规则",
        "建立群众诉求闭环办理机制",
        "完善日常督导和定期通报制度",
        "建立调研成果转化运用机制",
        "健全领导干部联系服务群众制度",
        "整理主题教育档案资料",
        "落实“五个一”工作机制",
    ),
}
# (measure, title, repeat): "计划到旬、安排到周" and "每月考评问效" of the seed.
REPEATING = (
    ("institutions", "主题教育旬报", "dekadly"),
    ("institutions", "每月考评问效", "monthly"),
    ("institutions", "主题教育工作月通报", "monthly"),
    ("institutions", "联络工作例会", "weekly"),
    ("development", "营商环境问题周调度", "weekly"),
    ("development", "重大项目建设月调度", "monthly"),
    ("development", "“书记项目”推进旬报", "dekadly"),
    ("rectification", "安全生产周例会", "FREQ=WEEKLY;BYDAY=FR"),
    ("study", "党员夜校集中学习", "weekly"),
)
NOTES = (
    "牵头:区发展改革委",
    "对照“1+9+1”专项整治方案,承担“服务群众最后一米”相关任务",
    "集中学习4次,送学上门11人",
    "把老百姓的“小需求”当成党员干部的“大要求”,清单式办理、销号式管理",
    "综合窗口已启用,社区便民服务事项增至100余种",
    "具体时间待市委主题教育办统一安排",
    "利用周末集中入户,安置区楼院优先",
    "赴乡镇卫生院实地调研,形成调研报告1篇",
    "结合产业提质发展,组织辖区富余劳动力专场招聘2场",
    "涉及多个部门,会同区发展改革委共同推进",
)
POSTPONE_REASONS = (
    "经领导小组研究调整",
    "因专家行程调整,推迟一周举行",
    "与调研成果交流会合并筹备",
    "迎接省委督导,时间顺延",
    "按市委联络组反馈意见调整",
)
INLINE_COMMENTS = (
    "调研报告已报主题教育办",
    "已销号",
    "会议记录已存档",
    "见第三联络组反馈",
)
DECIDERS = ("领导小组", "党委会", "党工委会议", "主题教育办")
OFFICES = ("党政办", "党委办公室", "主题教育办", "组织办")
DIGITS = "〇一二三四五六七八九"


@dataclass(slots=True)
class Person:
    """Someone in a unit's staff; the address is used when the file writes one."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Summary:
    """What was written: bytes, tasks as checklist counts them, and the planted problems."""

    bytes: int
    tasks: int
    invalid: list[tuple[str, str]]


@dataclass(slots=True)
class Unit:
    """One unit file: where it goes, its text, and how many tasks the tool will count."""

    path: str
    text: str
    tasks: int


def main(argv: list[str] | None = None) -> int:
    """Parse the options, refuse a non-empty OUT, write the campaign and say how long it took."""
    args = parse_args(argv)
    out: Path = args.out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        print(f"error: {out} exists and is not an empty folder", file=sys.stderr)
        return 2
    started = time.perf_counter()
    summary = write_campaign(out, units=args.units, seed=args.seed, invalid=args.invalid)
    seconds = time.perf_counter() - started
    for path, code in summary.invalid:
        print(f"{path}\t{code}")
    print(
        f"wrote {args.units:,} unit files ({summary.bytes / 1e6:.1f} MB, "
        f"{summary.tasks:,} tasks counting each occurrence) to {out} in {seconds:.2f} s",
        file=sys.stderr,
    )
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line: --units, --seed, --invalid and the output folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, metavar="OUT", help="folder to create (or empty)")
    parser.add_argument("--units", type=int, default=10_000, help="unit files (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--invalid", type=int, default=0, metavar="N", help="plant N bad files")
    args = parser.parse_args(argv)
    if args.units < 1 or not 0 <= args.invalid <= args.units:
        parser.error("need --units >= 1 and 0 <= --invalid <= --units")
    return args


def write_campaign(out: Path, *, units: int, seed: int, invalid: int) -> Summary:
    """Write campaign.toml and every unit file; return sizes, task count and planted problems."""
    rng = random.Random(seed)
    counties = rng.choices(COUNTIES, weights=[c.weight for c in COUNTIES], k=units)
    # Its own generator, so that the other files are the same with or without --invalid.
    problems = plant(random.Random(f"invalid-{seed}"), units=units, count=invalid)
    width = max(5, len(str(units - 1)))
    per_county = {c.code: 0 for c in COUNTIES}
    for county in counties:
        per_county[county.code] += 1
    campaign = render_campaign(rng, per_county)
    for county in COUNTIES:
        (out / "units" / county.code).mkdir(parents=True, exist_ok=True)
    (out / "campaign.toml").write_bytes(campaign.encode())
    total_bytes = len(campaign.encode())
    total_tasks = 0
    planted = []
    seen = {c.code: 0 for c in COUNTIES}
    for index, county in enumerate(counties):
        seen[county.code] += 1
        problem = problems.get(index)
        unit = make_unit(
            rng, county, index=index, width=width, nth=seen[county.code], problem=problem
        )
        data = unit.text.encode()
        (out / unit.path).write_bytes(data)
        total_bytes += len(data)
        total_tasks += unit.tasks
        if problem:
            planted.append((unit.path, problem))
    return Summary(total_bytes, total_tasks, planted)


def plant(rng: random.Random, *, units: int, count: int) -> dict[int, str]:
    """Choose which units get a problem: one in each of ``count`` equal slices of the campaign."""
    chosen = {}
    for i in range(count):
        low, high = i * units // count, (i + 1) * units // count
        chosen[rng.randrange(low, high)] = INVALID_KINDS[i % len(INVALID_KINDS)]
    return chosen


def render_campaign(rng: random.Random, per_county: dict[str, int]) -> str:
    """campaign.toml: the campaign, the five measures and the counties with expected_units."""
    lines = [
        "# 郑州市第二批主题教育 五项重点措施清单 总台账配置(基准测试生成)",
        "# 市委主题教育办 维护;各县(市、区)单位清单见 units/<区划代码>/",
        "",
        "[campaign]",
        'name = "郑州市第二批主题教育"',
        f"start = {START.isoformat()}",
        f"end = {END.isoformat()}",
        'timezone = "Asia/Shanghai"',
        "",
        "[remind]",
        "advance_days = [7, 3, 1, 0]",
        "overdue_every = 3",
        "escalate_after = 7",
        'lang = "zh"',
    ]
    for key, name in MEASURES:
        lines += ["", "[[measures]]", f'key = "{key}"', f'name = "{name}"']
    lines += ["", "# 郑东新区、经开区、高新区、航空港区和市直无国标区划代码,使用自定代码"]
    for county in COUNTIES:
        # Some units have not sent their list yet: a county expects a few more.
        expected = per_county[county.code] + rng.choice((0, 0, 0, 1, 2, 3))
        lines += [
            "",
            "[[counties]]",
            f'code = "{county.code}"',
            f'name = "{county.name}"',
            f"expected_units = {expected}",
        ]
    return "\n".join(lines) + "\n"


def make_unit(
    rng: random.Random, county: County, *, index: int, width: int, nth: int, problem: str | None
) -> Unit:
    """One unit file: header, [unit], maybe [people], then the five measures."""
    level = "county" if nth <= 2 or rng.random() < 0.02 else "grassroots"
    kind, name = unit_name(rng, county, level=level, nth=nth)
    unit_id = f"{county.slug}-{kind}-{index:0{width}d}"
    staff = make_staff(rng, county, size=rng.randint(3, 6))
    lines = header_comment(rng, name)
    lines += unit_table(rng, county, staff, name=name, unit_id=unit_id, level=level)
    if rng.random() < 0.08:
        lines += ["", "[people]"] + [f'"{p.name}" = "{p.email}"' for p in staff]
    repeating_measure, repeating = None, None
    if rng.random() < 1 / 3:
        repeating = rng.choice(REPEATING)
        repeating_measure = repeating[0]
    tasks = 0
    for key, _ in MEASURES:
        extra = repeating if key == repeating_measure else None
        block, count = measure_block(rng, key, staff, repeating=extra)
        lines += block
        tasks += count
    text = "\n".join(lines) + "\n"
    if problem:
        text = plant_problem(text, problem, county=county)
    return Unit(f"units/{county.code}/{unit_id}.toml", text, tasks)


def unit_name(rng: random.Random, county: County, *, level: str, nth: int) -> tuple[str, str]:
    """A unit's kind (for its id) and full name: an area name combined with a kind of body."""
    if level == "county":
        return county_body(county, nth)
    area = "郑州市" if county.kind == "municipal" else county.name
    place = rng.choice(PLACES)
    roll = rng.random()
    if county.kind == "municipal":
        # The city's own departments have no villages, streets or communities.
        roll = 0.56 + 0.44 * roll
    if roll < 0.30:
        village = rng.choice(VILLAGE_STEMS) + rng.choice(VILLAGE_ENDS)
        return "village", f"{area}{place}{village}村党支部"
    if roll < 0.48:
        return "community", f"{area}{place}{rng.choice(('', '东', '西', '南', '北'))}社区党支部"
    if roll < 0.56:
        if county.kind == "zone":
            return "office", f"{county.name}{place}办事处党工委"
        return "street", f"中共{county.party}{place}街道工作委员会"
    if roll < 0.70:
        school = rng.choice((f"第{chinese_number(rng.randint(1, 40))}中学", f"{place}小学"))
        return "school", f"{area}{school}党支部"
    if roll < 0.78:
        hospital = rng.choice(("人民医院", "中医院", "妇幼保健院", f"{place}社区卫生服务中心"))
        return "hospital", f"{area}{hospital}党委"
    if roll < 0.94:
        company = f"郑州{rng.choice(BRANDS)}{rng.choice(INDUSTRIES)}有限公司"
        return "company", f"{company}{rng.choice(('党委', '党支部'))}"
    return "branch", f"{area}{rng.choice(BUREAUS)}机关党支部"


def county_body(county: County, nth: int) -> tuple[str, str]:
    """The nth county-level leadership team of a county: committee, government, then bureaus."""
    if county.kind == "municipal":
        return "bureau", f"中共郑州市{BUREAUS[(nth - 1) % len(BUREAUS)]}党组"
    if nth == 1:
        if county.kind == "zone":
            return "committee", f"中共{county.party}领导班子"
        return "committee", f"中共{county.party}委领导班子"
    if nth == 2:
        body = "管理委员会党组" if county.kind == "zone" else "人民政府党组"
        return "government", f"{county.name}{body}"
    return "bureau", f"{county.name}{BUREAUS[(nth - 3) % len(BUREAUS)]}党组"


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals, as school names write them (第十二中学)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")


def make_staff(rng: random.Random, county: County, *, size: int) -> list[Person]:
    """The unit's people: distinct names, each with an address on the county's domain."""
    staff: list[Person] = []
    names: list[str] = []
    domain = "zhengzhou.gov.cn" if county.kind == "municipal" else f"{county.slug}.gov.cn"
    while len(staff) < size:
        surname, surname_pinyin = rng.choice(SURNAMES)
        given, given_pinyin = rng.choice(GIVEN_NAMES)
        if surname + given in names:
            continue
        number = rng.choice(("", "", str(rng.randint(1, 99))))
        names.append(surname + given)
        staff.append(Person(surname + given, f"{surname_pinyin}{given_pinyin}{number}@{domain}"))
    return staff


def header_comment(rng: random.Random, name: str) -> list[str]:
    """The comment most offices put at the top of a list, with who sent it and when."""
    if rng.random() < 0.4:
        return []
    lines = [f"# {name} 五项重点措施清单"]
    if rng.random() < 0.5:
        lines.append(f"# {rng.choice(OFFICES)} {ISO[rng.randint(2, 10)]} 报送")
    return [*lines, ""]


def unit_table(
    rng: random.Random,
    county: County,
    staff: list[Person],
    *,
    name: str,
    unit_id: str,
    level: str,
) -> list[str]:
    """The [unit] table; the contact is the first of the staff."""
    lines = ["[unit]"]
    if rng.random() < 0.1:
        lines.append(f'id = "{unit_id}"')
    lines += [f'name = "{name}"', f'county = "{county.code}"', f'level = "{level}"']
    lines.append(f'contact = "{person(rng, staff[0], address=0.15)}"')
    if rng.random() < 0.1:
        lines.append(f'note = "下设党支部{rng.randint(2, 20)}个,党员{rng.randint(20, 400)}名"')
    return lines


def person(rng: random.Random, who: Person, *, address: float = 0.04) -> str:
    """A name, now and then written with its address as in e-mail."""
    return f"{who.name} <{who.email}>" if rng.random() < address else who.name


def measure_block(
    rng: random.Random, key: str, staff: list[Person], *, repeating: tuple[str, str, str] | None
) -> tuple[list[str], int]:
    """A measure table and its tasks; returns the lines and how many tasks the tool counts."""
    count = rng.choices(TASK_COUNTS, weights=TASK_COUNT_WEIGHTS)[0]
    titles = rng.sample(TITLES[key], count)
    low, high = DUE_RANGE[key]
    pairs: list[tuple] = []
    if not titles and not repeating:
        # A measure without tasks is one task: it needs its own owner and due.
        pairs = [
            ("owner", person(rng, rng.choice(staff))),
            *task_state(rng, rng.randint(low, high)),
        ]
        if rng.random() < 0.08:
            pairs.append(("note", rng.choice(NOTES)))
        return ["", f"[{key}]", *map(pair_of, pairs)], 1
    owner = rng.choice(staff) if rng.random() < 0.75 else None
    due = rng.randint(max(low, high - 30), high) if rng.random() < 0.6 else None
    if owner:
        pairs.append(("owner", person(rng, owner)))
    if due is not None:
        pairs.append(("due", due))
    if rng.random() < 0.04:
        pairs.append(("note", rng.choice(NOTES)))
    lines = ["", f"[{key}]", *map(pair_of, pairs)] if pairs else []
    count = len(titles)
    for number, title in enumerate(titles, 1):
        lines += task_block(rng, key, title, staff, number=number, owner=owner, due=due)
    if repeating:
        block, occurrences = repeating_block(rng, key, repeating, rng.choice(staff))
        lines += block
        count += occurrences
    return lines, count


def task_block(
    rng: random.Random,
    key: str,
    title: str,
    staff: list[Person],
    *,
    number: int,
    owner: Person | None,
    due: int | None,
) -> list[str]:
    """One [[<measure>.tasks]] entry; owner and due only where the measure gives none."""
    low, high = DUE_RANGE[key]
    pairs: list[tuple] = [("title", title)]
    if rng.random() < 0.08:
        pairs.append(("id", f"{TASK_ID_PREFIX[key]}-{number:02d}"))
    if owner is None or rng.random() < 0.35:
        pairs.append(("owner", person(rng, rng.choice(staff))))
    if due is None or rng.random() < 0.6:
        pairs += task_state(rng, rng.randint(low, high))
    else:
        pairs += done_pairs(rng, due)
    if rng.random() < 0.1:
        pairs.append(("note", rng.choice(NOTES)))
    return ["", f"[[{key}.tasks]]", *map(pair_of, pairs)]


def task_state(rng: random.Random, due: int) -> list[tuple]:
    """A task's own due date, now and then postponed, and its done date."""
    pairs: list[tuple] = [("due", due)]
    if rng.random() < 0.015 and due > 14:
        # The due date moved later; the original date and the reason stay in the file.
        original = rng.randint(max(0, due - 21), due - 7)
        latest = min(original, TODAY)  # decided before the original date, and by now
        decided = ISO[rng.randint(max(0, latest - 14), latest)]
        pairs += [
            ("postponed_from", original, f"{decided} {rng.choice(DECIDERS)}研究决定"),
            ("postpone_reason", rng.choice(POSTPONE_REASONS)),
        ]
    return pairs + done_pairs(rng, due)


def done_pairs(rng: random.Random, due: int) -> list[tuple]:
    """The done date, if any, now and then with a comment after it."""
    done = done_day(rng, due)
    if done is None:
        return []
    if rng.random() < 0.03:
        return [("done", done, rng.choice(INLINE_COMMENTS))]
    return [("done", done)]


def done_day(rng: random.Random, due: int) -> int | None:
    """Past tasks: most done on time, some late, some overdue; future ones: a few done early."""
    roll = rng.random()
    if due < TODAY:
        if roll < 0.72:
            return max(0, due - rng.randint(0, 4))
        if roll < 0.86:
            return min(TODAY, due + rng.randint(1, 12))
        return None
    if roll < 0.12:
        return rng.randint(TODAY - 25, TODAY)
    return None


def repeating_block(
    rng: random.Random, key: str, repeating: tuple[str, str, str], owner: Person
) -> tuple[list[str], int]:
    """A repeating task: a done date per past occurrence, now and then but the last one or two."""
    _, title, rule = repeating
    first = first_occurrence(rng, rule)
    until = rng.choice((None, None, None, LAST - 16))
    dates = occurrences(rule, first, LAST if until is None else until)
    past = [d for d in dates if d < TODAY]
    missing = min(len(past), rng.choices((0, 1, 2), weights=(75, 15, 10))[0])
    done: list[int] = []
    for day in past[: len(past) - missing]:
        previous = done[-1] if done else 0
        done.append(max(previous, min(TODAY, day + rng.randint(-1, 1))))
    pairs: list[tuple] = [("title", title), ("owner", person(rng, owner)), ("due", first)]
    pairs.append(("repeat", rule))
    if until is not None:
        pairs.append(("until", until))
    if done:
        pairs.append(("done", done))
    return ["", f"[[{key}.tasks]]", *map(pair_of, pairs)], len(dates)


def first_occurrence(rng: random.Random, rule: str) -> int:
    """A first due date the rule itself produces, early in the campaign."""
    day = rng.randint(3, 40)
    date = START + dt.timedelta(days=day)
    if rule == "monthly":
        return day if date.day <= 28 else day + 7
    if rule == "dekadly":
        ends = [d for d in range(day, day + 12) if is_dekad_end(START + dt.timedelta(days=d))]
        return ends[0]
    if rule.endswith("BYDAY=FR"):
        return day + (4 - date.weekday()) % 7
    return day


def is_dekad_end(date: dt.date) -> bool:
    """The 10th, the 20th or the last day of a month."""
    return date.day in (10, 20) or (date + dt.timedelta(days=1)).day == 1


def occurrences(rule: str, first: int, last: int) -> list[int]:
    """The day numbers of a rule's occurrences from ``first`` to ``last``, as checklist counts."""
    if rule in ("weekly", "FREQ=WEEKLY;BYDAY=FR"):
        return list(range(first, last + 1, 7))
    if rule == "dekadly":
        return [d for d in range(first, last + 1) if is_dekad_end(START + dt.timedelta(days=d))]
    start = START + dt.timedelta(days=first)
    days = []
    for months in range(12):
        year, month = divmod(start.month - 1 + months, 12)
        day = (dt.date(start.year + year, month + 1, start.day) - START).days
        if day > last:
            break
        days.append(day)
    return days


def pair(key: str, value: object) -> str:
    """One ``key = value`` line in TOML: text, a day number, or a list of day numbers."""
    if isinstance(value, str):
        return f'{key} = "{value}"'
    if isinstance(value, list):
        return f"{key} = {date_list(value)}"
    return f"{key} = {ISO[value]}"


def pair_of(item: tuple) -> str:
    """A (key, value) or (key, value, comment) tuple as a line."""
    line = pair(item[0], item[1])
    return f"{line}  # {item[2]}" if len(item) == 3 else line


def date_list(days: list[int]) -> str:
    """A TOML array of dates, wrapped four to a line when long, as people write them."""
    if len(days) <= 4:
        return "[" + ", ".join(ISO[d] for d in days) + "]"
    rows = [", ".join(ISO[d] for d in days[i : i + 4]) + "," for i in range(0, len(days), 4)]
    return "[\n  " + "\n  ".join(rows) + "\n]"


def plant_problem(text: str, problem: str, *, county: County) -> str:
    """Break a finished file in one place only, so validate has exactly one thing to say."""
    if problem == "E101":
        # "note" mistyped as "notes", in the first table of the first measure.
        head = text.find("\n[study]")
        head = text.index("\n[[study.tasks]]") if head < 0 else head
        line_end = text.index("\n", head + 1)
        return f'{text[: line_end + 1]}notes = "已报主题教育办"\n{text[line_end + 1 :]}'
    if problem == "E104":
        at = text.index("\ndue = ") + len("\ndue = ")
        return f'{text[:at]}"{text[at : at + 10]}"{text[at + 10 :]}'
    if problem == "E201":
        wrong = "郑州市直属" if county.kind == "municipal" else f"郑州市{county.name}"
        return text.replace(f'county = "{county.code}"', f'county = "{wrong}"', 1)
    # E005: the contact's name without its quotes.
    at = text.index('\ncontact = "') + len("\ncontact = ")
    line_end = text.index("\n", at)
    return f"{text[:at]}{text[at + 1 : line_end - 1]}{text[line_end:]}"


if __name__ == "__main__":
    sys.exit(main())
