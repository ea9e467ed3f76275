// The simulated store's world: products with current and outdated prices, tools, and the phrasings
// customers use for each kind of request. Many phrasings per task keep clustering honest: the same
// intent must be recognised however it is worded.

struct Product {
    let name: String
    let sku: String
    let price: Double
    /// The price before the recent pricing update: what a stale index still says.
    let oldPrice: Double
}

enum Shop {
    static let products: [Product] = [
        Product(name: "Trail Runner 3 shoes", sku: "TR3-001", price: 129.00, oldPrice: 109.00),
        Product(name: "Summit 45L backpack", sku: "SB45-210", price: 189.00, oldPrice: 169.00),
        Product(name: "Merino base layer", sku: "MBL-330", price: 74.50, oldPrice: 64.50),
        Product(name: "Storm shell jacket", sku: "SSJ-412", price: 249.00, oldPrice: 219.00),
        Product(name: "Ultralight tent 2P", sku: "UT2-509", price: 399.00, oldPrice: 349.00),
        Product(name: "Camp stove kit", sku: "CSK-118", price: 59.99, oldPrice: 54.99),
        Product(name: "Insulated water bottle", sku: "IWB-075", price: 34.00, oldPrice: 29.00),
        Product(name: "Down sleeping bag", sku: "DSB-620", price: 279.00, oldPrice: 259.00),
        Product(name: "Hiking poles (pair)", sku: "HP2-044", price: 89.00, oldPrice: 79.00),
        Product(name: "Headlamp 400", sku: "HL4-090", price: 44.95, oldPrice: 39.95),
        Product(name: "Wool hiking socks 3-pack", sku: "WHS-013", price: 29.00, oldPrice: 26.00),
        Product(name: "Packable down vest", sku: "PDV-287", price: 139.00, oldPrice: 119.00),
        Product(name: "Trekking sandals", sku: "TS-156", price: 99.00, oldPrice: 89.00),
        Product(name: "Rain pants", sku: "RP-238", price: 119.00, oldPrice: 99.00),
        Product(name: "Climbing harness", sku: "CH-701", price: 69.00, oldPrice: 64.00),
        Product(name: "Solar charger 20W", sku: "SC20-88", price: 79.00, oldPrice: 69.00),
    ]

    static let sizes = ["S", "M", "L", "XL", "8", "9", "10", "11"]
    static let colors = ["black", "olive", "navy", "red", "grey", "sand"]
    static let promoCodes = ["WELCOME10", "TRAIL20", "SPRING15", "FREESHIP", "LOYAL25", "HOLIDAY30"]
    static let carriers = ["UPS", "FedEx", "USPS", "DHL"]
    static let cities = ["Denver, CO 80202", "Portland, OR 97205", "Austin, TX 78701", "Boston, MA 02116", "Seattle, WA 98101", "Madison, WI 53703"]
    static let streets = ["412 Pine St", "88 Cedar Ave", "1600 Alder Rd", "27 Birch Ln", "950 Maple Dr", "3 Willow Ct"]
    static let firstNames = ["jane", "sam", "priya", "lucas", "mei", "omar", "ana", "tom", "kofi", "lena"]
    static let lastNames = ["doe", "patel", "garcia", "chen", "okafor", "smith", "novak", "kim"]
    static let models = ["gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini", "gpt-4o"]
    static let channels = ["web_chat", "web_chat", "mobile_app", "email"]
    static let tiers = ["standard", "standard", "standard", "plus", "pro"]

    static let systemPrompt = "You are the support assistant for Acme Outfitters. Use tools to look up orders, refunds, prices and policies. Never guess facts you have not looked up. Escalate to a human when the customer asks for one or when you cannot resolve the issue."
}

/// The kinds of request the simulated customers make.
public enum SupportTask: String, CaseIterable, Sendable {
    case orderStatus = "order_status"
    case refund = "refund_request"
    case returnItem = "return_item"
    case pricing = "pricing_question"
    case availability = "product_availability"
    case changeAddress = "change_address"
    case cancelOrder = "cancel_order"
    case passwordReset = "password_reset"
    case promoCode = "promo_code_problem"
    case doubleCharge = "double_charge"
    case warranty = "warranty_claim"
    case shippingPolicy = "shipping_policy"

    /// Relative volume of each task in normal traffic.
    var weight: Double {
        switch self {
        case .orderStatus: return 18
        case .refund: return 10
        case .returnItem: return 9
        case .pricing: return 9
        case .availability: return 8
        case .changeAddress: return 6
        case .cancelOrder: return 7
        case .passwordReset: return 8
        case .promoCode: return 7
        case .doubleCharge: return 4
        case .warranty: return 5
        case .shippingPolicy: return 9
        }
    }

    /// Opening messages; `{order}`, `{product}`, `{email}`, `{promo}`, `{size}`, `{color}`, `{address}`, `{amount}` are filled in.
    var openings: [String] {
        switch self {
        case .orderStatus: return [
            "Where is my order {order}?",
            "Hi, order {order} still hasn't arrived, can you check on it?",
            "can u tell me when {order} will be delivered",
            "I ordered the {product} last week (order {order}) and the tracking hasn't moved.",
            "Any update on my package? Order number is {order}.",
            "Tracking for {order} has said 'label created' for 5 days. What's going on?",
            "Hello! Just checking on the delivery date for order {order}.",
            "My order {order} was supposed to arrive yesterday. Where is it?",
        ]
        case .refund: return [
            "I'd like a refund for order {order}, the {product} arrived damaged.",
            "The {product} I got is defective. Can I get my money back? Order {order}",
            "Please refund order {order}. Wrong size and I don't want an exchange.",
            "how do i get a refund for {order}",
            "I returned the {product} two weeks ago and still haven't seen my refund for {order}.",
            "Requesting a refund on {order} - the item never worked.",
        ]
        case .returnItem: return [
            "How do I return the {product} from order {order}?",
            "I need a return label for order {order}.",
            "Can I send back the {product}? It doesn't fit. Order {order}.",
            "What's the process to return something? It's order {order}.",
            "I want to exchange the {product} for a size {size}, order {order}.",
        ]
        case .pricing: return [
            "How much is the {product}?",
            "What's the current price of the {product}?",
            "Is the {product} on sale right now?",
            "price check on the {product} please",
            "Did the price of the {product} change? It looked cheaper last month.",
            "What would the {product} cost me before shipping?",
        ]
        case .availability: return [
            "Is the {product} in stock in size {size}?",
            "When will the {product} be back in stock?",
            "Do you have the {product} in {color}?",
            "Can I still buy the {product}? The page says unavailable.",
            "Is the {product} available for delivery to {address}?",
        ]
        case .changeAddress: return [
            "I need to change the shipping address on order {order} to {address}.",
            "Wrong address on {order}! Please ship it to {address} instead.",
            "Can you update the delivery address for order {order}? New address: {address}",
            "I moved - please send order {order} to {address}.",
        ]
        case .cancelOrder: return [
            "Please cancel order {order}.",
            "I want to cancel {order} before it ships.",
            "Can I still cancel my order {order}? I ordered the wrong {product}.",
            "cancel {order} pls, ordered twice by mistake",
        ]
        case .passwordReset: return [
            "I can't log in to my account. My email is {email}.",
            "Reset my password please, email is {email}",
            "I'm locked out of my account after too many attempts ({email}).",
            "The password reset link never arrives. Account {email}.",
        ]
        case .promoCode: return [
            "The code {promo} isn't working at checkout.",
            "Why was my discount code {promo} rejected?",
            "Can you apply {promo} to order {order}?",
            "I have a promo code {promo} but the site says it's invalid.",
            "Is {promo} still valid for the {product}?",
        ]
        case .doubleCharge: return [
            "I was charged twice for order {order}.",
            "There are two charges of ${amount} on my card for one order ({order}).",
            "You billed me twice for {order}, please fix this.",
            "Duplicate charge on my statement for order {order}.",
        ]
        case .warranty: return [
            "My {product} broke after 3 months, is it covered by warranty?",
            "How do I make a warranty claim for the {product}? Order {order}.",
            "The zipper on my {product} failed. Warranty?",
            "Does the {product} have a warranty? Mine stopped working.",
        ]
        case .shippingPolicy: return [
            "How long does express shipping take?",
            "Do you ship to Canada?",
            "What's your return window?",
            "Is shipping free over a certain amount?",
            "How much is overnight delivery to {address}?",
            "Can I pick up my order in store instead of shipping?",
        ]
        }
    }
}
