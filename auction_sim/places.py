"""Where simulated lots are and which case they come from: real districts and streets of the courts'
cities, and case numbers in the form each court gives them. Pure data and seeded draws.

A lot listed by the Guangzhou Intermediate Court is a flat in 天河区 or a truck with a 粤A plate, under
a case number like （2026）粤01执恢123号 (粤01: that court's code; 执 a first enforcement case, 执恢 a
resumed one); a district court's lots lie in its own district. A city not in the table still gets an
address in that city (its 人民路 or 解放路), and a court not in the code table its province's prefix.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .scenario import Court

# province -> abbreviation used on case numbers and number plates
PROVINCE_CODE = {
    "北京": "京", "天津": "津", "上海": "沪", "重庆": "渝", "河北": "冀", "山西": "晋", "辽宁": "辽",
    "吉林": "吉", "黑龙江": "黑", "江苏": "苏", "浙江": "浙", "安徽": "皖", "福建": "闽", "江西": "赣",
    "山东": "鲁", "河南": "豫", "湖北": "鄂", "湖南": "湘", "广东": "粤", "海南": "琼", "四川": "川",
    "贵州": "黔", "云南": "云", "陕西": "陕", "甘肃": "甘", "青海": "青", "广西": "桂", "内蒙古": "蒙",
    "西藏": "藏", "宁夏": "宁", "新疆": "新",
}  # fmt: skip
MUNICIPALITIES = frozenset({"北京", "天津", "上海", "重庆"})

# court -> the code on its case numbers (the Supreme People's Court's court codes)
COURT_CODE = {
    "广东省高级人民法院": "粤",
    "深圳市中级人民法院": "粤03",
    "深圳市福田区人民法院": "粤0304",
    "深圳市南山区人民法院": "粤0305",
    "广州市中级人民法院": "粤01",
    "广州市天河区人民法院": "粤0106",
    "广州海事法院": "粤72",
    "海口海事法院": "琼72",
    "杭州市中级人民法院": "浙01",
    "杭州市西湖区人民法院": "浙0106",
    "杭州市余杭区人民法院": "浙0110",
    "郑州市中级人民法院": "豫01",
    "武汉市江汉区人民法院": "鄂0103",
    "成都市中级人民法院": "川01",
    "南京市鼓楼区人民法院": "苏0106",
    "北京市第一中级人民法院": "京01",
    "上海市浦东新区人民法院": "沪0115",
}

# city -> districts with a few of their real streets
DISTRICTS: dict[str, dict[str, tuple[str, ...]]] = {
    "深圳": {
        "福田区": ("深南大道", "红荔路", "福华路", "彩田路"),
        "南山区": ("科苑路", "南海大道", "后海大道", "沙河西路"),
        "罗湖区": ("人民南路", "东门中路", "宝安南路"),
        "宝安区": ("新安六路", "宝民一路", "航城大道"),
        "龙岗区": ("龙岗大道", "布吉路", "龙翔大道"),
        "龙华区": ("人民路", "民治大道", "梅龙大道"),
    },
    "广州": {
        "天河区": ("天河路", "体育西路", "黄埔大道西", "中山大道西"),
        "越秀区": ("环市东路", "东风中路", "解放北路"),
        "海珠区": ("新港中路", "江南大道中", "工业大道"),
        "番禺区": ("迎宾路", "市桥街清河路", "汉溪大道"),
        "白云区": ("白云大道北", "机场路", "同和路"),
        "黄埔区": ("开发大道", "科学大道", "黄埔东路"),
    },
    "杭州": {
        "西湖区": ("文三路", "天目山路", "古墩路"),
        "上城区": ("解放路", "庆春路", "钱江路"),
        "余杭区": ("文一西路", "五常大道", "临平大道"),
        "滨江区": ("江南大道", "滨盛路", "长河路"),
        "拱墅区": ("莫干山路", "湖州街", "上塘路"),
    },
    "郑州": {
        "金水区": ("花园路", "经三路", "农业路"),
        "二七区": ("大学路", "航海中路", "京广路"),
        "中原区": ("建设西路", "中原中路", "桐柏路"),
        "管城回族区": ("紫荆山南路", "商城路"),
    },
    "武汉": {
        "江汉区": ("解放大道", "建设大道", "新华路"),
        "武昌区": ("中南路", "中北路", "和平大道"),
        "洪山区": ("珞喻路", "雄楚大道", "关山大道"),
    },
    "成都": {
        "武侯区": ("人民南路四段", "科华北路", "武侯祠大街"),
        "锦江区": ("东大街", "红星路", "滨江东路"),
        "青羊区": ("蜀都大道", "光华大道", "清江东路"),
        "成华区": ("建设路", "二环路东二段", "双林路"),
    },
    "南京": {
        "鼓楼区": ("中山路", "中央路", "北京西路"),
        "玄武区": ("珠江路", "中山东路", "龙蟠路"),
        "建邺区": ("江东中路", "庐山路", "集庆门大街"),
    },
    "北京": {
        "朝阳区": ("建国路", "朝阳路", "东三环中路"),
        "海淀区": ("中关村大街", "学院路", "西三环北路"),
        "西城区": ("金融大街", "西直门外大街"),
        "丰台区": ("丰台北路", "南三环西路"),
    },
    "上海": {
        "浦东新区": ("世纪大道", "张杨路", "浦东南路", "杨高中路"),
        "徐汇区": ("漕溪北路", "肇嘉浜路", "宜山路"),
        "静安区": ("南京西路", "延安中路", "共和新路"),
        "闵行区": ("沪闵路", "七莘路"),
    },
}
_ANY_CITY = {"": ("人民路", "解放路", "中山路", "建设路")}  # a city not in the table: its districts unnamed

ESTATES = ("阳光花园", "锦绣家园", "翠湖苑", "滨江名苑", "华庭", "碧海湾", "御景台", "城市花园", "金色家园", "君悦府")
BUILDINGS = ("大厦", "中心", "广场", "商务大厦")
COMPANIES = ("恒达", "华信", "盛世", "鑫源", "宏图", "天成", "瑞丰", "金桥")
INDUSTRIES = ("科技", "实业", "贸易", "投资", "置业", "电子")
CAR_BRANDS = ("丰田", "大众", "本田", "比亚迪", "奔驰", "宝马", "日产", "吉利")
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_CITY = {"深圳": "B", "广州": "A", "杭州": "A", "郑州": "A", "武汉": "A", "成都": "A", "南京": "A"}


@dataclass(frozen=True, slots=True)
class Place:
    """One address: the province prefix, city, district and street (with a number)."""

    province: str
    city: str
    district: str
    street: str
    number: int

    @property
    def city_name(self) -> str:
        return f"{self.city}市"

    @property
    def area(self) -> str:
        """``广东省深圳市南山区`` (``北京市朝阳区`` for a municipality)."""
        prefix = "" if self.province in MUNICIPALITIES else f"{self.province}省"
        return f"{prefix}{self.city_name}{self.district}"

    @property
    def address(self) -> str:
        return f"{self.area}{self.street}{self.number}号"


def place(court: Court, rng: random.Random) -> Place:
    """An address in the court's city; a district court's (基层法院) lots lie in its own district."""
    districts = DISTRICTS.get(court.city, _ANY_CITY)
    own = [d for d in districts if d and d in court.name]
    district = own[0] if own else rng.choice(list(districts))
    street = rng.choice(districts[district])
    return Place(court.province, court.city, district, street, rng.randint(1, 999))


def case_number(court: Court, year: int, serial: int, rng: random.Random) -> str:
    """``（2026）粤01执恢123号``: the court's code (or its province's abbreviation), 执 or, for about a
    third of cases (enforcement resumed after an earlier 终本), 执恢."""
    code = COURT_CODE.get(court.name) or PROVINCE_CODE.get(court.province, court.province[:1])
    kind = "执恢" if rng.random() < 0.35 else "执"
    return f"（{year}）{code}{kind}{serial}号"


def plate(court: Court, rng: random.Random) -> str:
    """A number plate of the court's city: ``粤B·7K2Q5``."""
    region = PROVINCE_CODE.get(court.province, court.province[:1])
    letter = PLATE_CITY.get(court.city, "A")
    tail = "".join(rng.choice("0123456789" + PLATE_LETTERS) for _ in range(5))
    return f"{region}{letter}·{tail}"


def describe(category: str, kind: str, court: Court, rng: random.Random) -> tuple[str, str]:
    """A lot's title and location: a flat at a real street of the court's city, a car with that city's
    plate kept in a court-appointed car park there, shares of a company registered there."""
    where = place(court, rng)
    if category == "residential":
        estate = rng.choice(ESTATES)
        block, floor, room = rng.randint(1, 12), rng.randint(2, 32), rng.randint(1, 6)
        unit = f"{estate}{block}栋{floor}{room:02d}房"
        return f"{where.district}{unit}（{kind}）", f"{where.address}{unit}"
    if category == "commercial":
        return _commercial(kind, where, rng)
    if category == "land":
        return f"{where.district}{where.street}以东地块{kind}", f"{where.area}{where.street}以东"
    if category == "vehicle":
        brand = rng.choice(CAR_BRANDS)
        return f"{plate(court, rng)} {brand}{kind}", f"{where.address}（法院指定停车场）"
    if category == "equity":
        return _equity(kind, court, where, rng)
    if category == "machinery":
        count = rng.randint(2, 30)
        return f"{kind}一批（{count}台/套）", f"{where.address}（厂区仓库）"
    return _other(kind, where, rng)


def _commercial(kind: str, where: Place, rng: random.Random) -> tuple[str, str]:
    """A workshop in a street of the city, or a floor or shop in a named building."""
    if kind == "厂房":
        unit = f"{rng.randint(1, 6)}号{kind}"
        return f"{where.district}{where.street}{where.number}号{unit}", f"{where.address}{unit}"
    building = f"{rng.choice(COMPANIES)}{rng.choice(BUILDINGS)}"
    unit = f"{building}{rng.randint(1, 28)}层{kind}" if kind == "写字楼" else f"{building}首层{kind}"
    return f"{where.district}{unit}", f"{where.address}{unit}"


def _equity(kind: str, court: Court, where: Place, rng: random.Random) -> tuple[str, str]:
    """Shares of a company, or a partnership's share, registered in the court's city."""
    name = f"{court.city}{rng.choice(COMPANIES)}{rng.choice(INDUSTRIES)}"
    share = rng.choice((10, 15, 20, 25, 30, 40, 51, 60))
    if kind.endswith("股权"):
        return f"{name}有限公司{share}%股权", f"{where.address}（公司住所地）"
    return f"{name}合伙企业（有限合伙）{share}%财产份额", f"{where.address}（企业主要经营场所）"


def _other(kind: str, where: Place, rng: random.Random) -> tuple[str, str]:
    """A ship at the city's anchorage, forest land, or a batch of goods in the court's keeping."""
    if kind == "船舶":
        return f"“{rng.choice(COMPANIES)}{rng.randint(1, 99)}”号货船", f"{where.area}（{where.city}港锚地）"
    if kind == "林权":
        return f"{where.district}集体林地使用权（{rng.randint(50, 800)}亩）", where.area
    return f"{kind}一批（{rng.randint(5, 120)}件）", f"{where.address}（法院保管处）"
