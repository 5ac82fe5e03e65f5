"""The value pools the string columns draw from (names, places, menu items, texts...)."""

# --------------------------------------------------------------------------- value pools
FIRST = (
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas",
    "Mia", "Aiden", "Chloe", "Jayden", "Zoe", "Daniel", "Grace", "Matthew", "Priya", "Arjun",
    "Wei", "Jia", "Hiro", "Yuki", "Mei", "Jin", "Minjun", "Seoyeon", "Carlos", "Sofia", "Diego",
    "Valentina", "Luis", "Camila", "Mateo", "Aaliyah", "Malik", "Imani", "Jamal", "Fatima",
    "Omar", "Layla", "Ahmed", "Noor", "Sarah", "David", "Rachel", "Michael", "Hannah", "Kevin",
    "Nina", "Oscar", "Elena", "Ivan", "Anya", "Kofi", "Ama", "Tariq", "Leah", "Ben",
)
LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Chen", "Wang", "Li", "Zhang", "Liu",
    "Kim", "Park", "Patel", "Shah", "Cohen", "Goldberg", "O'Brien", "Murphy", "Kowalski",
    "Ivanova", "Okafor", "Mensah", "Haddad",
)
NICK_SUFFIX = ("", "", "", "", " ☕", " ✨", "🧋", "_nyc", "92", "_01", " 😊")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")
AREA_CODES = ("212", "646", "917", "347", "718", "332", "929")
COMPANIES = (
    "Hudson Valley Dairy Co.", "Tri-State Coffee Roasters", "Greenpoint Paper Goods Inc.",
    "Liberty Bakery Supply", "Metro Cold Chain LLC", "Bowery Packaging Co.",
    "Harbor Fruit Purees Inc.", "Five Boroughs Facility Services", "Empire Espresso Service LLC",
    "Midtown Office Catering Group", "Chelsea Print & Sign Co.", "Battery Park Logistics",
    "Astor Place Design Studio", "Kips Bay Dental Group", "Flatiron Legal Partners LLP",
    "SoHo Creative Agency", "NoMad Health Partners", "Gotham Analytics LLC",
)
PRODUCTS = (
    "Iced Coconut Latte", "Coconut Latte", "Iced Latte", "Latte", "Americano", "Iced Americano",
    "Cappuccino", "Flat White", "Espresso", "Cold Brew", "Pineapple Cold Brew",
    "Raspberry Cold Brew", "Blood Orange Refresher", "Grapefruit Refresher", "Matcha Latte",
    "Iced Matcha Latte", "Coconut Matcha", "Velvet Latte", "Caramel Latte", "Vanilla Latte",
    "Mocha", "Iced Mocha", "Orange Americano", "Jasmine Tea", "Peach Oolong", "Lemon Black Tea",
    "Hot Chocolate", "Plain Bagel", "Everything Bagel", "Chocolate Chip Cookie",
    "Double Chocolate Cookie", "Chocolate Cake", "Croissant", "Banana Bread", "Blueberry Muffin",
)
NEIGHBORHOODS = (
    "Greenwich Village", "NoMad", "Midtown East", "Midtown West", "Financial District", "Tribeca",
    "SoHo", "Chelsea", "Flatiron", "Union Square", "Murray Hill", "Kips Bay", "Hudson Yards",
    "Upper East Side", "Upper West Side", "Morningside Heights", "East Village", "Gramercy",
)
STREETS = (
    "Broadway", "6th Ave", "5th Ave", "Madison Ave", "Lexington Ave", "3rd Ave", "2nd Ave",
    "Park Ave S", "W 14th St", "E 23rd St", "W 34th St", "E 42nd St", "W 57th St", "Canal St",
    "Houston St", "Bleecker St", "Fulton St", "Wall St", "Water St", "Church St", "Hudson St",
    "8th Ave", "7th Ave", "Amsterdam Ave", "Columbus Ave",
)
ZIPS = (
    "10001", "10003", "10004", "10005", "10006", "10007", "10010", "10011", "10012", "10013",
    "10014", "10016", "10017", "10018", "10019", "10021", "10022", "10023", "10024", "10025",
    "10027", "10028", "10036", "10038",
)
SERVICES = (
    "order-service", "user-service", "product-service", "market-service", "payment-service",
    "delivery-service", "shop-service", "iot-service", "scm-service", "notify-service",
    "risk-service", "cs-service", "gateway", "job-admin",
)
API_PATHS = (
    "/api/v1/order/create", "/api/v1/order/detail", "/api/v1/order/list", "/api/v1/order/cancel",
    "/api/v1/pay/prepay", "/api/v1/pay/callback/stripe", "/api/v1/coupon/list",
    "/api/v1/coupon/claim", "/api/v1/menu/list", "/api/v1/menu/product/detail",
    "/api/v1/shop/nearby", "/api/v1/user/login/sms", "/api/v1/user/profile", "/api/v1/cart/add",
    "/api/v1/cart/list", "/api/v1/search", "/api/v1/banner/list", "/api/v1/notice/unread",
    "/api/v1/device/heartbeat", "/api/v1/delivery/callback/doordash",
)
API_WEIGHTS = (6, 8, 6, 1, 5, 4, 5, 2, 12, 7, 6, 3, 3, 4, 4, 3, 6, 3, 7, 1)
USER_AGENTS = (
    "LuckinCoffee/2.6.1 (iPhone; iOS 17.5.1; Scale/3.00)",
    "LuckinCoffee/2.6.0 (iPhone; iOS 18.1; Scale/3.00)",
    "LuckinCoffee/2.5.3 (iPhone; iOS 16.7.8; Scale/2.00)",
    "LuckinCoffee/2.5.3 (Linux; Android 14; Pixel 8)",
    "LuckinCoffee/2.6.1 (Linux; Android 13; SM-S911U)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "okhttp/4.12.0",
)
DEVICE_MODELS = (
    "iPhone 16 Pro", "iPhone 15", "iPhone 15 Pro", "iPhone 14", "iPhone 13", "Pixel 8",
    "Pixel 7a", "Galaxy S24", "Galaxy S23", "Galaxy A54", "moto g 5G",
)
CUSTOMER_TEXT = (
    "Iced coconut latte was perfect as always.", "Pickup was fast, the order was ready when I arrived.",
    "Drink was too sweet today.", "Could you add oat milk for the matcha?",
    "The app crashed when I tried to apply a coupon.", "Staff at the counter were super friendly ☕",
    "My order showed ready but the drink was not on the shelf.", "Please bring back the $1.99 promo 😍",
    "Wrong size was made, I asked for large.", "Too much ice in the cold brew.",
    "Love the pineapple cold brew!", "Coupon disappeared after the order was cancelled.",
    "Payment went through twice, please refund one charge.", "Store was crowded at 8:30, waited 12 minutes.",
    "Great value for the price.", "Cookie was a bit stale.", "Can you open a store near Columbia?",
    "QR code would not scan at the counter.", "Refund received, thanks for the quick help.",
    "Nice latte art 👍", "Cup lid was loose and leaked.", "Best coffee near NYU.",
    "Drink was lukewarm.", "Matcha latte tasted great, less sweet please.", "Delivery took 45 minutes.",
    "The app asks for my location every time.", "Dark mode please!",
)
MARKETING_TEXT = (
    "Every drink is $1.99 in the app today only.", "Your order is ready - scan the QR code at the counter.",
    "A $3 coupon is waiting in your wallet.", "Your coupon expires in 24 hours.",
    "Order ahead and skip the line.", "Try the new Blood Orange Refresher ☀️",
    "Invite a friend: you both get a free drink.", "The Iced Coconut Latte is back 🥥",
    "Morning deal: 30% off any latte before 10am.", "We just opened a new store near you.",
    "Cold brew Fridays: buy one, get one half off.", "Thanks for your feedback - here is a coupon on us.",
)
REPLY_TEXT = (
    "Thanks for the feedback, we have shared it with the store team.",
    "Sorry about that - a coupon has been added to your wallet.", "Glad you enjoyed it! ☕",
    "We are looking into this with the store manager.", "Thanks! See you tomorrow morning.",
    "Sorry for the wait, we are adding staff for the morning peak.",
)
RELEASE_TEXT = (
    "Bug fixes and performance improvements.", "Improved coupon wallet and faster checkout.",
    "Added Apple Pay express checkout.", "New store locator map.", "Fixes a crash when applying coupons.",
    "Security patch for the network module.", "Faster menu loading.", "Calibration fix for the temperature probe.",
)
INTERNAL_TEXT = (
    "Owned by the growth team.", "Reviewed with operations.", "Kept for compatibility with app 2.4.",
    "Do not change without a ticket.", "Added for the store opening campaign.",
    "Agreed with the finance team.", "Checked and confirmed, no further action.",
    "Follow-up scheduled with the store manager.", "Temporary until the holiday campaign ends.",
    "Migrated from the pilot setup.", "Vendor confirmed the visit window.",
    "Escalated to the payments team.",
)
TITLES = (
    "Your order is ready", "New store now open on Broadway", "Every drink $1.99 today",
    "Weekend double coupons", "Iced Coconut Latte is back", "Try our Raspberry Cold Brew",
    "Invite a friend, get a free drink", "Your coupon expires tomorrow", "Morning deal: 7-10am",
    "Refund processed", "Scheduled app maintenance", "Matcha week", "Back to school at NYU",
    "Holiday hours", "Thank you for your feedback", "Coffee break for the office",
    "Blood Orange Refresher just launched", "Cold brew Fridays", "Free cookie with any latte",
    "New: Coconut Matcha",
)
KEYWORDS = (
    "coconut latte", "iced coconut", "coconut", "latte", "cold brew", "pineapple", "raspberry",
    "matcha", "refresher", "blood orange", "grapefruit", "americano", "espresso", "mocha",
    "decaf", "oat milk", "bagel", "cookie", "chocolate cake", "tea", "caramel", "vanilla",
    "cocnut latte", "iced latte", "sugar free", "☕",
)
EVENTS = (
    "app_open", "page_view", "product_view", "add_to_cart", "checkout_start", "pay_success",
    "coupon_claim", "search", "banner_click", "push_open",
)
ERRORS = (
    "Connection timed out after 3000 ms", "Duplicate entry for key 'uk_coupon_no'",
    "Payment gateway returned card_declined", "Redis command timed out", "Invalid signature",
    "Coupon already used", "Not enough stock for SKU", "Order status changed concurrently",
    "Token expired", "Upstream service unavailable (503)",
    "NullPointerException in CouponService.apply", "Rate limit exceeded",
)
CRONS = (
    "0 */5 * * * ?", "0 0 3 * * ?", "0 0/10 * * * ?", "0 30 4 * * ?", "0 0 * * * ?",
    "0 15 10 ? * MON-FRI", "0 0 6 * * ?", "0 */1 * * * ?",
)
VERBS = ("Sync", "Expire", "Close", "Refresh", "Compute", "Archive", "Export", "Reconcile",
          "Rebuild", "Notify", "Clean up", "Recalculate")
NOUNS = ("coupon stock", "unpaid orders", "device heartbeats", "daily settlement", "store stock",
          "user features", "search index", "campaign spend", "push tasks", "expired tokens",
          "delivery status", "price cache")
TAGS = ("new user", "office", "student", "morning", "coupon", "vip", "delivery", "weekend")
CONFIG_VALUES = ("true", "false", "3", "10", "30", "0.5", "USD", "America/New_York",
                  "https://static.luckyus.example/home/banner.png", "[1,2,3]", '{"max":2}')
DEEPLINKS = ("luckinus://menu", "luckinus://coupon/wallet", "luckinus://order/list",
              "luckinus://invite", "luckinus://menu?product_id=1", "luckinus://shop/nearby")
MODULES = ("order", "coupon", "campaign", "product", "shop", "user", "device", "config")
FEATURES = ("new_checkout", "apple_pay_express", "reorder_button", "store_map", "coupon_reminder",
             "dark_mode", "menu_sort_popularity", "delivery_entry", "search_suggest",
             "banner_autoplay", "referral_v2", "pickup_eta")
ACTIONS = ("create", "update", "delete", "export", "approve", "query")
MIMES = ("image/png", "image/jpeg", "application/pdf", "text/csv")

HEX = "0123456789abcdef"
ALNUM_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I: codes people type
B64ISH = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


