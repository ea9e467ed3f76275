// The scripts: how the agent resolves each task when all goes well, and how each failure pattern
// bends that. Tone is chosen per conversation and shows in the customer's words, not in any label.

import Foundation
import SiftModel

extension Conversation {
    static let annoyedOpeners = ["Honestly this is annoying. ", "I'm not happy about this. ", "Ugh. ", "This is the second time this happened. ", "Not impressed so far. "]
    static let positiveClosings = ["Perfect, thank you so much!", "Great, thanks for the quick help!", "Awesome, appreciate it.", "That's exactly what I needed, thanks!", "Wonderful, you've been very helpful."]
    static let neutralClosings = ["ok", "Got it.", "Okay.", "Understood."]
    static let negativeClosings = ["Fine, but this shouldn't have happened in the first place.", "Not great, but ok.", "That's disappointing.", "I expected better from you guys."]

    /// Plays the conversation; returns the customer's sentiment over it.
    mutating func play(task: SupportTask, pattern: FailurePattern?) -> Sentiment {
        let complaint: Set<SupportTask> = [.refund, .doubleCharge, .warranty, .orderStatus]
        switch pattern {
        case nil:
            let roll = rng.unit()
            let (neg, mixed, pos) = complaint.contains(task) ? (0.22, 0.13, 0.28) : (0.08, 0.05, 0.35)
            let tone: Sentiment = roll < neg ? .negative : roll < neg + mixed ? .mixed : roll < neg + mixed + pos ? .positive : .neutral
            let annoyed = tone == .negative || tone == .mixed
            user((annoyed ? rng.pick(Self.annoyedOpeners) : "") + fill(rng.pick(task.openings)))
            resolve(task)
            switch tone {
            case .positive, .mixed: user(rng.pick(Self.positiveClosings))
            case .negative: user(rng.pick(Self.negativeClosings))
            default: if rng.chance(0.5) { user(rng.pick(Self.neutralClosings)) }
            }
            return tone

        case .staleContext?:
            user(fill(rng.pick(task.openings)))
            resolve(task, stale: true)
            // Staleness shows when newer information meets the answer: here the customer has seen it.
            switch task {
            case .pricing: user("Are you sure? Your website shows a new price of $\(format2(product.price)).")
            case .promoCode: user("But the site says that promotion is no longer running.")
            default: user("That's outdated, the help page says something different now.")
            }
            say("You're right, I'm sorry: that came from an older copy. Let me correct it.")
            let positive = rng.chance(0.6)
            if positive { user(rng.pick(Self.positiveClosings)) } else if rng.chance(0.5) { user(rng.pick(Self.neutralClosings)) }
            return positive ? .positive : .neutral

        case .retryStorm?:
            let annoyed = rng.chance(0.4)
            user(fill(rng.pick(task.openings)))
            stormTool = primaryTool(task)
            stormSize = rng.int(4...6)
            resolve(task)
            if annoyed { user(rng.pick(["That took forever.", "Why was that so slow?", "Finally. That took ages."])); return .negative }
            if rng.chance(0.5) { user(rng.pick(Self.neutralClosings)) }
            return .neutral

        case .unsupportedAnswer?:
            user(fill(rng.pick(task.openings)))
            say(fill(unsupportedClaim(task)))
            let positive = rng.chance(0.65)
            if positive { user(rng.pick(Self.positiveClosings)) }
            return positive ? .positive : .neutral

        case .unresolvedEscalation?:
            user(rng.pick(Self.annoyedOpeners) + fill(rng.pick(task.openings)))
            call("lookup_order", ["order_id": .string(slots["order"]!)], result: orderRecord(status: "delivered"))
            say(fill("I can see order {order}. Let me look into what went wrong with it."))
            user(rng.pick(["I've already been through this twice. I want to talk to a human.", "Can I please speak to a real person?", "Just connect me with a human agent, please."]))
            if rng.chance(0.6) {
                call("escalate_to_human", ["reason": .string(task.rawValue), "priority": "high"], result: .null,
                     error: ["type": "QueueUnavailable", "message": "no human agents available: escalation queue is closed"])
            }
            say("I've escalated your case to our support team. Someone will contact you soon.")
            user(rng.pick(["When? I've been waiting for days. This is ridiculous.", "Soon? That's what you said last week!", "That's not an answer. When exactly?"]))
            say("I understand your frustration. A specialist will reach out as soon as possible.")
            user(rng.pick(["Unbelievable. Nobody ever calls back.", "This is the worst customer service I've dealt with.", "Forget it. I'm disputing the charge with my bank."]))
            return .frustrated

        case .toolErrorIgnored?:
            user(fill(rng.pick(task.openings)))
            ignoreErrors(task)
            let positive = rng.chance(0.7)
            if positive { user(rng.pick(Self.positiveClosings)) }
            return positive ? .positive : .neutral

        case .clarificationLoop?:
            user(fill(rng.pick(task.openings)))
            say("I'd be happy to help! Could you please share your order number?")
            user(fill(rng.pick(["I already did, it's {order}.", "It's in my message: {order}.", "{order}, like I said."])))
            say("Thanks! Before I continue, can you confirm your order number?")
            user(fill(rng.pick(["{order}!!! I've given it to you twice.", "Are you even reading my messages? {order}.", "Again: {order}. This is getting silly."])))
            if rng.chance(0.4) {
                resolve(task)
                user(rng.pick(Self.negativeClosings))
                return .negative
            }
            say("To look into this for you, could you provide the order number on your confirmation email?")
            user(rng.pick(["Forget it.", "Never mind, I'll call instead.", "Useless."]))
            return .frustrated
        }
    }

    func primaryTool(_ task: SupportTask) -> String {
        switch task {
        case .refund, .doubleCharge: return "issue_refund"
        case .cancelOrder: return "cancel_order"
        case .changeAddress: return "update_shipping_address"
        default: return "lookup_order"
        }
    }

    func unsupportedClaim(_ task: SupportTask) -> String {
        switch task {
        case .refund: return "Your refund of ${amount} for order {order} was processed this morning and will be back on your card within 24 hours."
        case .warranty: return "Yes, the {product} has a lifetime warranty, so we'll ship you a brand-new one free of charge tomorrow."
        case .orderStatus: return "Your order {order} left our warehouse today and will be delivered this Thursday before noon."
        case .doubleCharge: return "I can see the duplicate charge on order {order} and it has already been reversed. It will disappear from your statement tonight."
        default: return "That's all taken care of for order {order}."
        }
    }

    // MARK: - Records the tools return

    mutating func orderRecord(status: String) -> Value {
        let eta = day(Double(rng.int(1...5)) * 86400)
        return ["order_id": .string(slots["order"]!), "status": .string(status), "carrier": .string(rng.pick(Shop.carriers)),
                "tracking_number": .string("1Z\(rng.int(100_000_000...999_999_999))"), "estimated_delivery": .string(eta),
                "items": [["sku": .string(product.sku), "name": .string(product.name), "price": .double(product.price)]],
                "total": .double(product.price)]
    }

    /// A tool call that, in a retry storm, first fails several times.
    mutating func reliableCall(_ name: String, _ args: Value, result: Value) {
        if stormTool == name {
            for i in 0..<stormSize {
                let timeout = i % 2 == 0
                call(name, args, result: .null,
                     error: timeout ? ["type": "UpstreamTimeout", "message": .string("\(name) timed out after 5000 ms")]
                                    : ["type": "HTTPError", "status": 503, "message": "503 Service Unavailable"],
                     latency: timeout ? 5.0...5.2 : 0.8...2.5)
            }
            stormTool = nil
        } else if rng.chance(0.04) {
            // Healthy traffic has the odd single retry too: one blip, then success.
            call(name, args, result: .null, error: ["type": "UpstreamTimeout", "message": .string("\(name) timed out after 5000 ms")], latency: 5.0...5.1)
        }
        call(name, args, result: result)
    }

    // MARK: - Normal resolutions

    mutating func resolve(_ task: SupportTask, stale: Bool = false) {
        let order = slots["order"]!
        switch task {
        case .orderStatus:
            let rec = orderRecord(status: rng.pick(["in_transit", "in_transit", "processing", "out_for_delivery"]))
            reliableCall("lookup_order", ["order_id": .string(order)], result: rec)
            say("Your order \(order) is \(rec["status"]!.stringValue!.replacingOccurrences(of: "_", with: " ")) with \(rec["carrier"]!.stringValue!) (tracking \(rec["tracking_number"]!.stringValue!)). It should arrive by \(rec["estimated_delivery"]!.stringValue!).")
        case .refund:
            reliableCall("lookup_order", ["order_id": .string(order)], result: orderRecord(status: "delivered"))
            let rid = "R\(rng.int(10_000...99_999))"
            reliableCall("issue_refund", ["order_id": .string(order), "amount": .double(product.price), "reason": "customer_request"],
                         result: ["refund_id": .string(rid), "status": "processed", "amount": .double(product.price), "expected_days": "5-7 business days"])
            say("I've refunded $\(format2(product.price)) to your original payment method (reference \(rid)). You'll see it within 5-7 business days.")
        case .returnItem:
            reliableCall("lookup_order", ["order_id": .string(order)], result: orderRecord(status: "delivered"))
            let rma = "RMA-\(rng.int(100_000...999_999))"
            call("create_return", ["order_id": .string(order), "sku": .string(product.sku)],
                 result: ["rma": .string(rma), "label_url": .string("https://returns.acme.example/\(rma).pdf"), "drop_off_by": .string(day(14 * 86400))])
            say("Your return is set up (\(rma)). Print the label from the link I sent to your email and drop the package off by \(day(14 * 86400)).")
        case .pricing:
            let date = stale ? staleIndexDate() : freshIndexDate()
            let price = stale ? product.oldPrice : product.price
            call("get_pricing", ["sku": .string(product.sku)],
                 result: ["sku": .string(product.sku), "price": .double(price), "currency": "USD", "on_sale": false,
                          "source": "pricing_index", "index_updated_at": .string(date)])
            say("The \(product.name) is currently $\(format2(price)), and it isn't on sale right now.")
        case .availability:
            let inStock = rng.chance(0.7)
            let restock = day(Double(rng.int(7...21)) * 86400)
            call("check_inventory", ["sku": .string(product.sku), "size": .string(slots["size"]!)],
                 result: ["sku": .string(product.sku), "in_stock": .bool(inStock), "quantity": .int(inStock ? Int64(rng.int(2...40)) : 0),
                          "restock_date": inStock ? .null : .string(restock)])
            say(inStock ? "Good news: the \(product.name) is in stock in size \(slots["size"]!)." : "The \(product.name) is out of stock right now; we expect more by \(restock).")
        case .changeAddress:
            reliableCall("lookup_order", ["order_id": .string(order)], result: orderRecord(status: "processing"))
            reliableCall("update_shipping_address", ["order_id": .string(order), "address": .string(slots["address"]!)],
                         result: ["updated": true, "address": .string(slots["address"]!)])
            say("Done: order \(order) will now ship to \(slots["address"]!).")
        case .cancelOrder:
            reliableCall("lookup_order", ["order_id": .string(order)], result: orderRecord(status: "processing"))
            reliableCall("cancel_order", ["order_id": .string(order)], result: ["status": "cancelled", "refund_amount": .double(product.price), "refund_within": "5 business days"])
            say("Order \(order) is cancelled, and $\(format2(product.price)) will go back to your card within 5 business days.")
        case .passwordReset:
            let email = slots["email"]!
            call("lookup_customer", ["email": .string(email)], result: ["customer_id": .string("C\(rng.int(10_000...99_999))"), "locked": .bool(rng.chance(0.3))])
            call("send_password_reset", ["email": .string(email)], result: ["sent": true, "expires_in_minutes": 30])
            say("I've sent a password reset link to \(email). It expires in 30 minutes; check your spam folder if it doesn't show up.")
        case .promoCode:
            let code = slots["promo"]!
            if stale {
                call("validate_promo", ["code": .string(code)],
                     result: ["code": .string(code), "valid": true, "discount_percent": 20, "source": "promo_index", "index_updated_at": .string(staleIndexDate())])
                say("\(code) is valid and gives you 20% off. It should apply at checkout.")
            } else {
                let valid = rng.chance(0.4)
                call("validate_promo", ["code": .string(code)],
                     result: ["code": .string(code), "valid": .bool(valid), "discount_percent": valid ? 15 : 0,
                              "reason": valid ? .null : .string("expired on \(day(-Double(rng.int(2...20)) * 86400))"),
                              "source": "promo_index", "index_updated_at": .string(freshIndexDate())])
                say(valid ? "\(code) is valid for 15% off; I've applied it." : "Sorry, \(code) has expired, so it can't be applied any more.")
            }
        case .doubleCharge:
            reliableCall("lookup_order", ["order_id": .string(order)], result: orderRecord(status: "delivered"))
            call("get_payments", ["order_id": .string(order)],
                 result: ["charges": [["id": "ch_1", "amount": .double(product.price), "status": "captured"],
                                      ["id": "ch_2", "amount": .double(product.price), "status": "captured"]]])
            let rid = "R\(rng.int(10_000...99_999))"
            reliableCall("issue_refund", ["order_id": .string(order), "amount": .double(product.price), "reason": "duplicate_charge"],
                         result: ["refund_id": .string(rid), "status": "processed", "amount": .double(product.price)])
            say("You're right, order \(order) was captured twice. I've refunded the duplicate $\(format2(product.price)) (reference \(rid)).")
        case .warranty:
            call("search_knowledge_base", ["query": .string("warranty \(product.name)")],
                 result: ["documents": [["id": "kb-warranty", "title": "Warranty policy",
                                         "text": "All Acme products carry a 2-year limited warranty against manufacturing defects. Wear and tear is not covered.",
                                         "last_updated": .string(freshIndexDate())]]])
            let claim = "W\(rng.int(10_000...99_999))"
            call("create_warranty_claim", ["order_id": .string(order), "sku": .string(product.sku)], result: ["claim_id": .string(claim), "status": "open"])
            say("The \(product.name) has a 2-year limited warranty against defects. I've opened claim \(claim); we'll email you a prepaid label.")
        case .shippingPolicy:
            let question = userTurns.first?.lowercased() ?? ""
            let (title, fresh, old, answer, oldAnswer) = Self.policy(for: question)
            call("search_knowledge_base", ["query": .string(userTurns.first ?? "")],
                 result: ["documents": [["id": .string("kb-\(title.lowercased().replacingOccurrences(of: " ", with: "-"))"), "title": .string(title),
                                         "text": .string(stale ? old : fresh), "last_updated": .string(stale ? staleIndexDate() : freshIndexDate())]]])
            say(stale ? oldAnswer : answer)
        }
    }

    /// Knowledge-base policies: (title, current text, outdated text, answer, outdated answer).
    static func policy(for question: String) -> (String, String, String, String, String) {
        if question.contains("express") {
            return ("Express shipping", "Express shipping takes 3 business days and costs $14.95.", "Express shipping takes 2 business days and costs $9.95.",
                    "Express shipping takes 3 business days and costs $14.95.", "Express shipping takes 2 business days and costs $9.95.")
        }
        if question.contains("canada") {
            return ("International shipping", "We ship to Canada in 5-8 business days; duties are collected at checkout.", "We ship to Canada in 4-6 business days; duties are paid on delivery.",
                    "Yes, we ship to Canada: 5-8 business days, with duties collected at checkout.", "Yes, we ship to Canada: 4-6 business days, and duties are paid on delivery.")
        }
        if question.contains("return") {
            return ("Returns policy", "Items can be returned within 30 days of delivery.", "Items can be returned within 60 days of delivery.",
                    "You can return items within 30 days of delivery.", "You can return items within 60 days of delivery.")
        }
        if question.contains("free") {
            return ("Shipping rates", "Standard shipping is free on orders over $99.", "Standard shipping is free on orders over $50.",
                    "Shipping is free on orders over $99.", "Shipping is free on orders over $50.")
        }
        if question.contains("overnight") {
            return ("Overnight delivery", "Overnight delivery costs $29.95 to most US addresses.", "Overnight delivery costs $19.95 to most US addresses.",
                    "Overnight delivery is $29.95 to your address.", "Overnight delivery is $19.95 to your address.")
        }
        return ("In-store pickup", "Free in-store pickup is available at all 14 Acme stores.", "Free in-store pickup is available at 9 Acme stores.",
                "Yes, you can pick up for free at any of our 14 stores.", "Yes, you can pick up for free at any of our 9 stores.")
    }

    // MARK: - Errors the agent glosses over

    mutating func ignoreErrors(_ task: SupportTask) {
        let order = slots["order"]!
        switch task {
        case .changeAddress:
            call("lookup_order", ["order_id": .string(order)], result: orderRecord(status: "processing"))
            call("update_shipping_address", ["order_id": .string(order), "address": .string(slots["address"]!)], result: .null,
                 error: ["type": "ValidationError", "message": "address validation failed: ZIP code does not match city"])
            say("Done! Order \(order) will now ship to \(slots["address"]!).")
        case .refund:
            call("lookup_order", ["order_id": .string(order)], result: orderRecord(status: "delivered"))
            call("issue_refund", ["order_id": .string(order), "amount": .double(product.price), "reason": "customer_request"], result: .null,
                 error: ["type": "PolicyError", "message": "refund amount exceeds the refundable balance for this order"])
            say("Your refund of $\(format2(product.price)) has been issued and will show up within 5-7 business days.")
        default:
            call("lookup_order", ["order_id": .string(order)], result: orderRecord(status: "shipped"))
            call("cancel_order", ["order_id": .string(order)], result: .null,
                 error: ["type": "ConflictError", "message": "order already handed to carrier; cannot cancel"])
            say("Order \(order) has been cancelled. You won't be charged.")
        }
    }
}
