"""Names for the demo library: people from many backgrounds, places for institutions.

Invented combinations of common given names and surnames; any match with a real person is
chance. A few surnames carry particles ("de la Cruz", "van Dijk") and accents on purpose, so
the pages, the search and the capture parser meet them in the demo as they will in real use.
"""

FIRST_NAMES = (
    "Aaliyah", "Abdul", "Ada", "Adebayo", "Adriana", "Ahmed", "Aiko", "Aisha", "Akira", "Alba",
    "Aleksander", "Alejandro", "Alice", "Amara", "Amir", "Ana", "Anders", "Andrea", "Anika",
    "Anja", "Antoine", "Arjun", "Astrid", "Aurora", "Ayesha", "Beatriz", "Ben", "Bilal",
    "Bogdan", "Bruno", "Camila", "Carla", "Caroline", "Catalina", "Chen", "Chiara", "Chloé",
    "Chukwuemeka", "Clara", "Connor", "Dalia", "Damian", "Daniel", "Dara", "David", "Deepa",
    "Diego", "Dimitri", "Ebony", "Elena", "Elif", "Elijah", "Eliza", "Emeka", "Emil", "Emma",
    "Erik", "Esther", "Fatima", "Felix", "Femi", "Fiona", "Florian", "Francesca", "Freya",
    "Gabriel", "Giulia", "Grace", "Hana", "Hannah", "Hassan", "Helena", "Henrik", "Hiroshi",
    "Hugo", "Ibrahim", "Ida", "Ifeoma", "Ines", "Ingrid", "Isaac", "Isabel", "Ivan", "Jakob",
    "James", "Jana", "Javier", "Jia", "Joanna", "Johan", "Jonas", "Jorge", "José", "Julia",
    "Kamal", "Karin", "Katarzyna", "Kenji", "Khadija", "Kofi", "Laila", "Lars", "Laura",
    "Leila", "Leon", "Li", "Liam", "Lina", "Lucas", "Lucía", "Luis", "Lukas", "Mai", "Malik",
    "Marco", "Margaux", "Maria", "Mariam", "Marta", "Mateo", "Matilda", "Mei", "Mehmet",
    "Mia", "Miguel", "Mihai", "Mina", "Mohammed", "Nadia", "Naledi", "Naomi", "Nathan",
    "Nia", "Niamh", "Nikhil", "Nikolai", "Nina", "Noah", "Nora", "Oliver", "Olga", "Omar",
    "Oscar", "Paolo", "Patrick", "Paula", "Pedro", "Priya", "Rafael", "Rahul", "Rania",
    "Ravi", "Rebecca", "Rin", "Rosa", "Ruth", "Sakura", "Salma", "Samuel", "Sara", "Sean",
    "Selin", "Shira", "Simone", "Siobhan", "Sofia", "Søren", "Sunita", "Tariq", "Teresa",
    "Thabo", "Theo", "Tomasz", "Uma", "Valentina", "Vera", "Victor", "Wei", "William",
    "Xavier", "Yara", "Yasmin", "Yusuf", "Zainab", "Zara", "Zoë", "Zofia",
)  # fmt: skip

SURNAMES = (
    "Abara", "Adeyemi", "Ahmadi", "Akhtar", "Alvarez", "Andersson", "Anand", "Bakker",
    "Banerjee", "Barros", "Becker", "Bergström", "Bianchi", "Blanco", "Bose", "Brennan",
    "Brown", "Byrne", "Campbell", "Carvalho", "Castillo", "Chakraborty", "Chen", "Cho",
    "Christensen", "Clarke", "Costa", "Cruz", "da Silva", "Dahl", "Das", "de Jong",
    "de la Cruz", "Delgado", "Demir", "Desai", "di Stefano", "Diallo", "Dubois", "Eriksen",
    "Evans", "Farah", "Fernandes", "Ferrari", "Fischer", "Fitzgerald", "Fontaine", "Fraser",
    "Friedman", "Fujita", "Garcia", "Ghosh", "Gonzalez", "Gupta", "Haddad", "Hansen",
    "Hartmann", "Hayes", "Hoffmann", "Hughes", "Hussain", "Ibrahim", "Ito", "Ivanova",
    "Jansen", "Jensen", "Johansson", "Joshi", "Kaya", "Kelly", "Khan", "Kim", "Kowalski",
    "Kumar", "Kuznetsov", "Lam", "Larsen", "Laurent", "Lee", "Lehmann", "Lewis", "Lim",
    "Lindqvist", "Liu", "Lopez", "Lund", "Macdonald", "Mahmoud", "Mancini", "Martin",
    "Martinez", "Mbeki", "McCarthy", "Mehta", "Meyer", "Mishra", "Molina", "Moreau",
    "Morris", "Murphy", "Nakamura", "Navarro", "Nguyen", "Nielsen", "Novak", "Nowak",
    "Nuñez", "O'Brien", "O'Neill", "Obi", "Okafor", "Okonkwo", "Oliveira", "Osei", "Owusu",
    "Park", "Patel", "Pereira", "Petrov", "Phillips", "Popescu", "Quinn", "Rahman", "Ramos",
    "Rao", "Reyes", "Ricci", "Rivera", "Roberts", "Romano", "Rossi", "Ruiz", "Saito",
    "Santos", "Sato", "Schmidt", "Schneider", "Scott", "Shah", "Sharma", "Silva", "Singh",
    "Smith", "Sokolova", "Suzuki", "Svensson", "Takahashi", "Tanaka", "Taylor", "Thomas",
    "Torres", "Tran", "Turner", "van der Berg", "van Dijk", "Varga", "Vasquez", "Vogel",
    "Wagner", "Walker", "Wang", "Watanabe", "Weber", "White", "Williams", "Wilson", "Wong",
    "Wright", "Wu", "Yamamoto", "Yang", "Yilmaz", "Young", "Zhang", "Zhao", "Zimmermann",
    "Ashworth-Lee", "Mensah", "Nkosi", "Achebe", "Kovačić", "Müller", "Sørensen", "Łukasik",
)  # fmt: skip

# Places that name the institutions of the larger tiers: "University of Eastmoor",
# "Northfield University". Invented, English-sounding, many combinations.
PLACES = (
    "Northfield", "Eastmoor", "Riverside", "Ashbury", "Kingsmere", "Westbrook", "Hallam",
    "Fenwick", "Marlowe", "Thornbury", "Greystone", "Lindale", "Oakhurst", "Penrith",
    "Redcliffe", "Southwold", "Stanmore", "Tamworth", "Whitlow", "Yarrow", "Brackley",
    "Carrow", "Dunmore", "Elmstead", "Fairhaven", "Glenmoor", "Harrowgate", "Ivybridge",
    "Kelsall", "Longmead", "Millbrook", "Newhaven", "Otterburn", "Pelham", "Quarry Bank",
    "Rosewood", "Saltmarsh", "Trent Vale", "Underhill", "Wexford", "Ambleside", "Barnstow",
    "Coldharbour", "Denholm", "Eskdale", "Foxley", "Goldcrest", "Hartwell", "Ironbridge",
    "Juniper Hill", "Kirkby", "Lowther", "Moorgate", "Northwich", "Oldcastle", "Priory Park",
)  # fmt: skip
INSTITUTION_FORMS = (
    "{} University",
    "University of {}",
    "{} Institute of Technology",
    "{} College",
    "{} Medical School",
)

# The demo tier's staff: recognisable names for the sign-in page and the README.
DEMO_ACCOUNTS = (
    # username, first name, last name, role
    ("librarian", "Maya", "Lindqvist", "librarian"),
    ("tomas", "Tomás", "Reyes", "librarian"),
    ("priya", "Priya", "Natarajan", "librarian"),
    ("manager", "Helen", "Ward", "manager"),
    ("admin", "Olu", "Adeyemi", "admin"),
)
DEMO_PASSWORD = "rapport-demo"
