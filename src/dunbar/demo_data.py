"""The word lists the demo network is made from: names of many cultures, places, organizations, titles, topics.

Everything here is invented: the organizations only look real, the phone numbers use each country's format
but are not anyone's, and the e-mail domains are ``example.*`` or made-up company domains.
"""

from __future__ import annotations

from typing import NamedTuple


class Culture(NamedTuple):
    given_f: tuple[str, ...]
    given_m: tuple[str, ...]
    family: tuple[str, ...]
    places: tuple[str, ...]  # "City, Country"
    phone_prefix: str  # E.164 country code and a common area code
    phone_digits: int  # subscriber digits after the prefix


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


CULTURES: tuple[Culture, ...] = (
    Culture(
        _t("Emily Sarah Olivia Hannah Grace Megan Rachel Lauren Abigail Chloe Madison Jessica Amanda Brooke"),
        _t("James Michael Ryan Tyler Daniel Matthew Andrew Ethan Nathan Kevin Brandon Justin Connor Austin"),
        _t("Smith Johnson Williams Brown Miller Davis Wilson Anderson Taylor Thomas Moore Jackson Martin Clark"),
        ("San Francisco, USA", "New York, USA", "Austin, USA", "Seattle, USA", "Boston, USA", "Chicago, USA"),
        "+1415",
        7,
    ),
    Culture(
        _t("Charlotte Sophie Amelia Isla Poppy Freya Imogen Harriet Eleanor Rosie"),
        _t("Oliver Harry George Alfie Archie Rory Callum Hamish Fraser Angus"),
        _t("Hughes Evans Roberts Wright Walker Thompson Edwards Lewis Harrison Campbell MacLeod Fraser"),
        ("London, UK", "Manchester, UK", "Edinburgh, UK", "Bristol, UK", "Cambridge, UK"),
        "+4420",
        8,
    ),
    Culture(
        _t("Anna Lena Lea Marie Katharina Jana Julia Franziska Jülide Mareike Anja Birgit"),
        _t("Lukas Jonas Felix Maximilian Jörg Tobias Florian Matthias Sebastian Jürgen Uwe Björn"),
        _t("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schäfer Köhler Groß Hoffmann Krüger Weiß"),
        ("Berlin, Germany", "Munich, Germany", "Hamburg, Germany", "Cologne, Germany", "Leipzig, Germany"),
        "+4930",
        8,
    ),
    Culture(
        _t("Camille Léa Chloé Manon Inès Élodie Hélène Margaux Anaïs Céline Océane Maëlle"),
        _t("Louis Hugo Théo Gabriel Raphaël Étienne Jérôme François Benoît Cédric Noël Loïc"),
        _t("Martin Bernard Dubois Thomas Robert Petit Durand Lefèvre Moreau Girard Mercier Faure Bréhier"),
        ("Paris, France", "Lyon, France", "Toulouse, France", "Nantes, France", "Bordeaux, France"),
        "+331",
        8,
    ),
    Culture(
        _t("María Lucía Sofía Carmen Paula Elena Ángela Begoña Nuria Pilar Ainhoa Inés"),
        _t("José Javier Álvaro Sergio Pablo Adrián Jesús Raúl Iñaki Andrés Rubén Óscar"),
        _t("García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Jiménez Muñoz Ibáñez Núñez"),
        ("Madrid, Spain", "Barcelona, Spain", "Valencia, Spain", "Seville, Spain", "Bilbao, Spain"),
        "+3491",
        7,
    ),
    Culture(
        _t("Valentina Camila Ximena Guadalupe Renata Mariana Daniela Fernanda Florencia Catalina"),
        _t("Santiago Mateo Sebastián Diego Joaquín Tomás Matías Emiliano Nicolás Agustín"),
        _t("Hernández Ramírez Torres Flores Rivera Vargas Castillo Morales Ortiz Gutiérrez Rojas Peña"),
        ("Mexico City, Mexico", "Guadalajara, Mexico", "Buenos Aires, Argentina", "Bogotá, Colombia"),
        "+5255",
        8,
    ),
    Culture(
        _t("Ana Beatriz Júlia Letícia Larissa Gabriela Luíza Mônica Thaís Conceição"),
        _t("João Gonçalo Tiago Rafael Vinícius Caio Thiago Luís André Fábio"),
        _t("Silva Santos Oliveira Souza Lima Pereira Carvalho Gonçalves Araújo Ribeiro Magalhães Simões"),
        ("São Paulo, Brazil", "Rio de Janeiro, Brazil", "Lisbon, Portugal", "Porto, Portugal"),
        "+5511",
        9,
    ),
    Culture(
        _t("Giulia Chiara Francesca Martina Alessia Federica Ilaria Beatrice Noemi"),
        _t("Luca Marco Alessandro Matteo Lorenzo Niccolò Andrea Davide Federico"),
        _t("Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Galli Mancini"),
        ("Milan, Italy", "Rome, Italy", "Turin, Italy", "Bologna, Italy", "Florence, Italy"),
        "+3902",
        8,
    ),
    Culture(
        _t("Zofia Małgorzata Agnieszka Katarzyna Joanna Łucja Aleksandra Magdalena Żaneta"),
        _t("Łukasz Paweł Michał Piotr Krzysztof Wojciech Tomasz Jędrzej Grzegorz"),
        _t("Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Dąbrowski Żółw"),
        ("Warsaw, Poland", "Kraków, Poland", "Wrocław, Poland", "Gdańsk, Poland", "Poznań, Poland"),
        "+4822",
        7,
    ),
    Culture(
        _t("Freja Ida Astrid Sigrid Maja Ingrid Solveig Linnéa Åsa Märta"),
        _t("Søren Mads Rasmus Anders Magnus Bjørn Jørgen Oskar Nils Håkan"),
        _t("Jensen Nielsen Hansen Pedersen Andersson Johansson Lindqvist Østergaard Sørensen Bergström Ødegård"),
        ("Copenhagen, Denmark", "Aarhus, Denmark", "Stockholm, Sweden", "Oslo, Norway", "Gothenburg, Sweden"),
        "+45",
        8,
    ),
    Culture(
        _t("Sanne Femke Anouk Lotte Eline Marloes Ilse Zoë Noor"),
        _t("Daan Bram Sem Thijs Joris Maarten Pieter Ruud Stijn"),
        (
            "de Jong",
            "Jansen",
            "de Vries",
            "van den Berg",
            "van Dijk",
            "Bakker",
            "Visser",
            "Smit",
            "Meijer",
            "de Boer",
            "Mulder",
        ),
        ("Amsterdam, Netherlands", "Utrecht, Netherlands", "Rotterdam, Netherlands", "Eindhoven, Netherlands"),
        "+3120",
        7,
    ),
    Culture(
        _t("Linh Mai Hương Thảo Trang Ngọc Phương Hà"),
        _t("Minh Đức Huy Khang Tuấn Quang Hoàng Phúc"),
        _t("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Đặng Bùi Đỗ"),
        ("Hanoi, Vietnam", "Ho Chi Minh City, Vietnam", "Da Nang, Vietnam"),
        "+8428",
        8,
    ),
    Culture(
        _t("Wei Fang Xiaoling Jing Yan Li Mei Hui Xinyi"),
        _t("Hao Jun Lei Tao Yang Zhiwei Chen Bo Haoran"),
        _t("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun"),
        ("Shanghai, China", "Shenzhen, China", "Beijing, China", "Singapore, Singapore", "Hong Kong, China"),
        "+8621",
        8,
    ),
    Culture(
        _t("Yuki Haruka Aoi Sakura Mei Yui Emi Naoko"),
        _t("Haruto Ren Sōta Kenji Takumi Daiki Ryō Hiroshi"),
        _t("Satō Suzuki Takahashi Tanaka Watanabe Itō Yamamoto Nakamura Kobayashi Katō"),
        ("Tokyo, Japan", "Osaka, Japan", "Kyoto, Japan", "Fukuoka, Japan"),
        "+813",
        8,
    ),
    Culture(
        _t("Ji-woo Seo-yeon Min-ji Ha-eun Soo-ah Ye-jin"),
        _t("Min-jun Seo-jun Do-yun Ji-ho Hyun-woo Jae-won"),
        _t("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim"),
        ("Seoul, South Korea", "Busan, South Korea", "Pangyo, South Korea"),
        "+822",
        8,
    ),
    Culture(
        _t("Priya Ananya Divya Kavya Aishwarya Lakshmi Meera Sneha Pooja Nandini"),
        _t("Arjun Rohan Vikram Aditya Rahul Siddharth Karthik Varun Aarav Nikhil"),
        _t("Sharma Patel Reddy Iyer Nair Gupta Singh Krishnan Mehta Banerjee Rao Chatterjee"),
        ("Bengaluru, India", "Mumbai, India", "Hyderabad, India", "Pune, India", "Chennai, India"),
        "+9180",
        8,
    ),
    Culture(
        _t("Fatima Layla Noor Yasmin Mariam Aisha Rania Salma Hana"),
        _t("Omar Youssef Karim Ahmed Khalid Tariq Samir Hassan Rami"),
        _t("Haddad Khoury Nasser Mansour Saleh Aziz Hamdan El-Amin Farouk Qureshi"),
        ("Dubai, UAE", "Amman, Jordan", "Beirut, Lebanon", "Cairo, Egypt", "Casablanca, Morocco"),
        "+9714",
        7,
    ),
    Culture(
        _t("Zeynep Elif Ayşe Büşra Özge Merve Gülşen İrem"),
        _t("Mehmet Emre Burak Can Oğuz Çağrı Barış Şükrü"),
        _t("Yılmaz Kaya Demir Şahin Çelik Yıldız Öztürk Aydın Özdemir Arslan"),
        ("Istanbul, Turkey", "Ankara, Turkey", "Izmir, Turkey"),
        "+90212",
        7,
    ),
    Culture(
        _t("Chiamaka Ngozi Adaeze Funmilayo Yetunde Amara Temitope Folake"),
        _t("Chinedu Oluwaseun Emeka Tunde Babajide Ikenna Adewale Obinna"),
        _t("Okafor Adeyemi Okonkwo Balogun Eze Nwosu Adebayo Ogunleye Abiodun"),
        ("Lagos, Nigeria", "Abuja, Nigeria", "Nairobi, Kenya", "Accra, Ghana", "Cape Town, South Africa"),
        "+234803",
        7,
    ),
    Culture(
        _t("Eleni Maria Katerina Dimitra Sofia Ioanna"),
        _t("Giorgos Dimitris Nikos Kostas Yannis Stavros"),
        _t("Papadopoulos Papadakis Georgiou Oikonomou Nikolaidis Vlachos Karagiannis"),
        ("Athens, Greece", "Thessaloniki, Greece", "Nicosia, Cyprus"),
        "+3021",
        8,
    ),
    Culture(
        _t("Aoife Siobhán Niamh Saoirse Órla Caoimhe"),
        _t("Seán Cian Oisín Pádraig Darragh Eoin"),
        ("Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor", "Ó Briain"),
        ("Dublin, Ireland", "Cork, Ireland", "Galway, Ireland"),
        "+3531",
        7,
    ),
    Culture(
        _t("Tereza Kateřina Lucie Veronika Eliška Zsófia Réka Dóra"),
        _t("Jiří Tomáš Ondřej Vojtěch Lukáš Bálint Gergő Ádám"),
        _t("Novák Svoboda Dvořák Černý Procházka Kučera Nagy Kovács Szabó Tóth Horváth"),
        ("Prague, Czechia", "Brno, Czechia", "Budapest, Hungary", "Bratislava, Slovakia"),
        "+4202",
        8,
    ),
    Culture(
        _t("Noa Tamar Yael Shira Maya Michal"),
        _t("Noam Itai Yonatan Omer Eitan Ariel"),
        _t("Cohen Levi Mizrahi Peretz Biton Friedman Avraham Katz"),
        ("Tel Aviv, Israel", "Haifa, Israel", "Jerusalem, Israel"),
        "+9723",
        7,
    ),
)

ORG_FIRST = _t(
    "Northwind Bluebird Cedar Helix Lumen Quarry Harbor Meridian Alder Kestrel Basalt Tidewater Orchard Granite "
    "Polaris Juniper Summit Fjord Copperleaf Sable Ember Halcyon Larkspur Beacon Vanta Corvid Aster Brightwater "
    "Redwood Marlin Oakridge Saffron Tessera Vireo Wildflower Zephyr Atlas Nimbus Ostrava Kinetic Arbor Parallax "
    "Silverline Foxglove Ironbark Lattice Mosaic Pinecone Quill Riverstone Solstice Trellis Umber Verdant Waypoint"
)
ORG_SECOND = (
    "Analytics",
    "Health",
    "Labs",
    "Systems",
    "Robotics",
    "Energy",
    "Capital",
    "Logistics",
    "Bank",
    "Software",
    "Studio",
    "Insurance",
    "Biotech",
    "Foods",
    "Mobility",
    "Media",
    "Consulting",
    "Payments",
    "Security",
    "Games",
    "Education",
    "Ventures",
    "Materials",
    "Cloud",
    "Partners",
    "Pharma",
    "Design",
    "Networks",
)
ORG_SUFFIX = ("", "", "", " GmbH", " Inc.", " Ltd", " AG", " SA", " B.V.", " AB", " S.p.A.", " KK", " & Co.")
# Well-known kinds of employers that are not companies.
INSTITUTIONS = (
    "Technical University of Munich",
    "Universidad Politécnica de Madrid",
    "École Polytechnique Fédérale de Lausanne",
    "Uniwersytet Jagielloński",
    "Københavns Universitet",
    "Python Software Foundation",
    "Médecins Sans Frontières",
    "City of Amsterdam",
    "Open Knowledge Foundation",
    "Mozilla Foundation",
)

TITLES = (
    "Software Engineer",
    "Senior Software Engineer",
    "Staff Engineer",
    "Principal Engineer",
    "Engineering Manager",
    "Director of Engineering",
    "VP Engineering",
    "CTO",
    "Product Manager",
    "Senior Product Manager",
    "Head of Product",
    "Product Designer",
    "UX Researcher",
    "Data Scientist",
    "Machine Learning Engineer",
    "Data Engineer",
    "Analyst",
    "Account Executive",
    "Sales Director",
    "Customer Success Manager",
    "Marketing Manager",
    "Head of Marketing",
    "Recruiter",
    "Talent Partner",
    "HR Business Partner",
    "Chief of Staff",
    "Operations Manager",
    "Finance Manager",
    "CFO",
    "Founder",
    "Co-founder & CEO",
    "Partner",
    "Investor",
    "Consultant",
    "Research Scientist",
    "Professor",
    "PhD Candidate",
    "Developer Advocate",
    "Site Reliability Engineer",
    "Security Engineer",
    "Technical Writer",
    "Designer",
    "Journalist",
)

EVENTS = (
    "PyCon",
    "EuroPython",
    "Web Summit",
    "re:Invent",
    "FOSDEM",
    "a Strange Loop meetup",
    "a product meetup",
    "a founders' dinner",
    "a hackathon",
    "a climate-tech breakfast",
    "Slush",
    "a design sprint",
)

HOW_MET = (
    "former colleague at {org}",
    "met at {event} {year}",
    "introduced by {intro}",
    "university friend",
    "we were on the same team at {org}",
    "reached out on LinkedIn",
    "recruiter who placed me at {org}",
    "neighbour",
    "met through the running club",
    "customer when I was at {org}",
    "mentor from my first job",
    "met at a meetup in {city}",
    "co-organised {event} together",
    "friend of a friend",
    "investor in {org}",
)

TAGS = (
    "python",
    "investor",
    "recruiter",
    "mentor",
    "alumni",
    "founder",
    "hiring",
    "design",
    "data",
    "friend",
    "family",
    "climate",
    "conference",
    "open-source",
    "berlin-tech",
    "former-colleague",
    "speaker",
    "advisor",
    "community",
    "remote",
)

FIELDS = (
    ("pronouns", ("she/her", "he/him", "they/them")),
    ("timezone", ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "America/Los_Angeles")),
    ("github", ()),  # filled from the person's handle
    ("interests", ("climbing", "sourdough", "jazz", "chess", "cycling", "photography", "board games", "sailing")),
    ("kids", ("two daughters", "a son", "twins", "none")),
    ("coffee", ("flat white", "espresso", "oat latte", "tea, never coffee")),
    ("team", ("platform", "payments", "growth", "infra", "research", "design systems")),
)

# Topics that summaries and notes are made of; cities make "search berlin" find conversations too.
TOPICS = (
    "the new pricing model",
    "hiring a data team",
    "Rust vs Go for the ingest service",
    "their fundraising round",
    "the reorg",
    "burnout and taking a sabbatical",
    "the conference talk",
    "an open-source release",
    "moving into management",
    "the Q3 roadmap",
    "a migration to PostgreSQL",
    "career advice",
    "remote work",
    "the acquisition rumours",
    "a book on negotiation",
    "mentoring juniors",
    "the launch",
    "LLM evaluation",
    "a side project",
    "the board meeting",
)
CITIES = (
    "Berlin",
    "Lisbon",
    "Tokyo",
    "New York",
    "Kraków",
    "Copenhagen",
    "São Paulo",
    "Amsterdam",
    "Bengaluru",
    "Zürich",
    "Montréal",
    "Nairobi",
)
PLACES = ("coffee", "lunch", "dinner", "drinks", "a walk", "breakfast")

# Summary templates by kind; {p} is a possessive pronoun, {topic}, {city}, {place}, {event} are filled in.
SUMMARIES: dict[str, tuple[str, ...]] = {
    "meeting": (
        "{place}, talked about {p} move to {city}",
        "{place} near the office; {topic}",
        "{place} in {city}, caught up on {topic}",
        "met for {place}; asked about {topic}",
        "{place}: {p} team is growing, {topic}",
        "long {place}, mostly {topic}",
    ),
    "call": (
        "call about {topic}",
        "quick call, {topic}",
        "phone catch-up; {p} trip to {city}",
        "called to congratulate on {p} new role",
        "call: advice on {topic}",
    ),
    "video": (
        "video call about {topic}",
        "Zoom catch-up, {p} plans for {city}",
        "video chat: {topic}",
        "remote pairing session on {topic}",
    ),
    "email": (
        "e-mail thread about {topic}",
        "sent the article on {topic}",
        "intro e-mail re {topic}",
        "thanks for the referral",
        "e-mail: plans for {city} next month",
        "shared slides on {topic}",
    ),
    "message": (
        "messages about {topic}",
        "Signal chat, {p} week in {city}",
        "WhatsApp: photos from {city}",
        "quick message, {topic}",
        "LinkedIn message about {topic}",
    ),
    "event": (
        "saw each other at {event} in {city}",
        "{event}: panel on {topic}",
        "both at {event}; dinner afterwards",
        "{event} in {city}, talked about {topic}",
    ),
}
# A job search and a project are bursts: many interactions with many people in a few weeks.
BURST_SUMMARIES: dict[str, tuple[str, ...]] = {
    "job search": (
        "talked about the {title} role at {org}",
        "referral for {org}",
        "interview prep: {org} system design round",
        "asked about the team culture at {org}",
        "offer discussion, {org}",
        "coffee about leaving my job; {topic}",
    ),
    "project": (
        "Project Atlas kickoff",
        "Project Atlas: review of {topic}",
        "Atlas weekly sync",
        "Atlas demo day in {city}",
        "Project Atlas retro",
    ),
    "conference": (
        "{event} speakers' dinner",
        "{event} prep call about {topic}",
        "{event}: hallway track on {topic}",
    ),
}

NOTES = (
    "Prefers mornings; never schedule before 9.",
    "Wants an intro to someone in {topic_short}.",
    "Moved to {city} in {year}.",
    "Loves {interest}; ask about it.",
    "Could help with hiring for the data team.",
    "Owes me feedback on the draft.",
    "Kids: {kids}.",
    "Thinking about starting a company around {topic}.",
    "Great at explaining {topic}; ask to speak at the meetup.",
    "Met {p_obj} partner at the {event} party.",
)
