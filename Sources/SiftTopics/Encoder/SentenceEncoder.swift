// A BERT-family sentence-transformer encoder: reads a standard model directory (config.json,
// vocab.txt, model.safetensors, 1_Pooling/config.json, sentence_bert_config.json), runs the
// transformer forward pass, pools (mean or CLS) and L2-normalises. all-MiniLM-L6-v2 first; other BERT
// models of that format (bge-small, e5-small) work by configuration. The sentences of a batch are
// stacked as rows for the dense layers (no padding), attention runs per sentence, and the matrix
// products run in C kernels (AVX2/FMA when the CPU has it) spread over the cores.

import CKernels
import Foundation
import SiftModel

public final class SentenceEncoder: EmbeddingModel, @unchecked Sendable {
    public let directory: String
    public let dimensions: Int
    public let name: String
    let tokenizer: WordPiece
    let layers: Int, heads: Int, hidden: Int, intermediate: Int, maxPositions: Int, maxSeq: Int
    let eps: Float
    let meanPooling: Bool
    // Weights.
    let wordEmb: [Float], posEmb: [Float], typeEmb: [Float], embLNw: [Float], embLNb: [Float]
    struct Layer {
        var qkvW: [Float], qkvB: [Float]      // Q, K and V stacked: [3h, h]
        var oW: [Float], oB: [Float], ln1w: [Float], ln1b: [Float]
        var iW: [Float], iB: [Float], o2W: [Float], o2B: [Float], ln2w: [Float], ln2b: [Float]
    }
    let blocks: [Layer]

    public init(directory path: String) throws {
        let directory = path
        let dir = URL(fileURLWithPath: directory)
        func json(_ rel: String) throws -> Value? {
            let p = dir.appendingPathComponent(rel).path
            guard let d = FileManager.default.contents(atPath: p) else { return nil }
            do { return try JSONReader.parse(Array(d)) } catch { throw TopicsError.invalid("\(p): \(error)") }
        }
        guard let config = try json("config.json") else { throw TopicsError.invalid("\(directory): no config.json (is this a sentence-transformers model directory?)") }
        guard (config["model_type"]?.stringValue ?? "bert") == "bert" else {
            throw TopicsError.invalid("\(directory): model_type \(config["model_type"]?.stringValue ?? "?") is not a BERT model")
        }
        func int(_ k: String, _ d: Int) -> Int { config[k]?.intValue.map(Int.init) ?? d }
        hidden = int("hidden_size", 384); layers = int("num_hidden_layers", 6); heads = int("num_attention_heads", 12)
        intermediate = int("intermediate_size", 1536); maxPositions = int("max_position_embeddings", 512)
        eps = Float(config["layer_norm_eps"]?.doubleValue ?? 1e-12)
        guard hidden % heads == 0, hidden % 16 == 0, intermediate % 16 == 0 else { throw TopicsError.invalid("\(directory): unsupported sizes (hidden \(hidden), heads \(heads))") }
        if let act = config["hidden_act"]?.stringValue, act != "gelu" { throw TopicsError.invalid("\(directory): activation \(act) is not supported (gelu only)") }
        let st = try json("sentence_bert_config.json")
        maxSeq = min(maxPositions, st?["max_seq_length"]?.intValue.map(Int.init) ?? 256)
        let pooling = try json("1_Pooling/config.json")
        meanPooling = !(pooling?["pooling_mode_cls_token"]?.boolValue ?? false)
        let tok = try json("tokenizer_config.json")
        tokenizer = try WordPiece(vocabFile: dir.appendingPathComponent("vocab.txt").path, lowercase: tok?["do_lower_case"]?.boolValue ?? true)
        let weights = try SafeTensors(path: dir.appendingPathComponent("model.safetensors").path)
        // Some exports prefix every name with "bert.".
        let prefix = weights.entries["embeddings.word_embeddings.weight"] != nil ? "" : "bert."
        func w(_ n: String, _ shape: [Int]) throws -> [Float] { try weights.floats(prefix + n, shape: shape) }
        let vocabSize = weights.entries[prefix + "embeddings.word_embeddings.weight"]?.shape.first ?? 0
        wordEmb = try w("embeddings.word_embeddings.weight", [vocabSize, hidden])
        posEmb = try w("embeddings.position_embeddings.weight", [maxPositions, hidden])
        typeEmb = try w("embeddings.token_type_embeddings.weight", [weights.entries[prefix + "embeddings.token_type_embeddings.weight"]?.shape.first ?? 2, hidden])
        embLNw = try w("embeddings.LayerNorm.weight", [hidden]); embLNb = try w("embeddings.LayerNorm.bias", [hidden])
        var blocks: [Layer] = []
        for l in 0..<layers {
            let p = "encoder.layer.\(l)."
            let h = hidden
            blocks.append(Layer(
                qkvW: try w(p + "attention.self.query.weight", [h, h]) + w(p + "attention.self.key.weight", [h, h]) + w(p + "attention.self.value.weight", [h, h]),
                qkvB: try w(p + "attention.self.query.bias", [h]) + w(p + "attention.self.key.bias", [h]) + w(p + "attention.self.value.bias", [h]),
                oW: try w(p + "attention.output.dense.weight", [h, h]), oB: try w(p + "attention.output.dense.bias", [h]),
                ln1w: try w(p + "attention.output.LayerNorm.weight", [h]), ln1b: try w(p + "attention.output.LayerNorm.bias", [h]),
                iW: try w(p + "intermediate.dense.weight", [intermediate, h]), iB: try w(p + "intermediate.dense.bias", [intermediate]),
                o2W: try w(p + "output.dense.weight", [h, intermediate]), o2B: try w(p + "output.dense.bias", [h]),
                ln2w: try w(p + "output.LayerNorm.weight", [h]), ln2b: try w(p + "output.LayerNorm.bias", [h])))
        }
        self.blocks = blocks
        self.directory = dir.standardizedFileURL.path
        dimensions = hidden
        name = "st:" + dir.standardizedFileURL.lastPathComponent + "-\(hidden)"
    }

    public func tokenize(_ text: String) -> [Int32] { tokenizer.encode(text, maxLength: maxSeq) }

    public func embed(_ texts: [String]) throws -> [[Float]] {
        var out = [[Float]](repeating: [], count: texts.count)
        // Batches of similar length keep the work per batch even; order is restored at the end.
        let ids = texts.map(tokenize)
        let order = ids.indices.sorted { ids[$0].count < ids[$1].count }
        var i = 0
        while i < order.count {
            var j = i, tokens = 0
            while j < order.count && (j == i || tokens + ids[order[j]].count <= 2048) { tokens += ids[order[j]].count; j += 1 }
            let batch = Array(order[i..<j])
            let vecs = forward(batch.map { ids[$0] })
            for (k, idx) in batch.enumerated() { out[idx] = vecs[k] }
            i = j
        }
        return out
    }

    /// The pooled, normalised vector of each sentence.
    func forward(_ sentences: [[Int32]]) -> [[Float]] {
        let h = hidden
        let rows = sentences.reduce(0) { $0 + $1.count }
        var starts: [Int] = []
        var r = 0
        for s in sentences { starts.append(r); r += s.count }
        // Embeddings.
        var x = [Float](repeating: 0, count: rows * h)
        x.withUnsafeMutableBufferPointer { xp in
            for (si, s) in sentences.enumerated() {
                for (t, id) in s.enumerated() {
                    let row = (starts[si] + t) * h
                    let wid = Int(id) < wordEmb.count / h ? Int(id) : Int(tokenizer.unk)
                    for c in 0..<h { xp[row + c] = wordEmb[wid * h + c] + posEmb[t * h + c] + typeEmb[c] }
                }
            }
        }
        Kernels.layerNorm(&x, rows: rows, cols: h, w: embLNw, b: embLNb, eps: eps)
        let dh = h / heads
        let scale = 1 / Float(dh).squareRoot()
        for b in blocks {
            let qkv = Kernels.linear(x, rows: rows, inDim: h, w: b.qkvW, bias: b.qkvB, outDim: 3 * h)
            var ctx = [Float](repeating: 0, count: rows * h)
            // Attention, per sentence and head.
            ctx.withUnsafeMutableBufferPointer { cp in
                qkv.withUnsafeBufferPointer { qp in
                    let c = cp.baseAddress!, q = qp.baseAddress!
                    let jobs = sentences.count * heads
                    let lens = sentences.map(\.count)
                    DispatchQueue.concurrentPerform(iterations: min(jobs, ProcessInfo.processInfo.activeProcessorCount * 4)) { worker in
                        var scores = [Float](repeating: 0, count: maxSeq)
                        var job = worker
                        let stride = min(jobs, ProcessInfo.processInfo.activeProcessorCount * 4)
                        while job < jobs {
                            let si = job / heads, head = job % heads
                            let n = lens[si], base = starts[si]
                            for t in 0..<n {
                                let qrow = q + (base + t) * 3 * h + head * dh
                                var mx = -Float.infinity
                                for u in 0..<n {
                                    let krow = q + (base + u) * 3 * h + h + head * dh
                                    let s = simdDot(qrow, krow, dh) * scale
                                    scores[u] = s
                                    if s > mx { mx = s }
                                }
                                var sum: Float = 0
                                for u in 0..<n { let e = expf(scores[u] - mx); scores[u] = e; sum += e }
                                let inv = 1 / sum
                                let out = c + (base + t) * h + head * dh
                                for u in 0..<n {
                                    let p = scores[u] * inv
                                    let vrow = q + (base + u) * 3 * h + 2 * h + head * dh
                                    for d in 0..<dh { out[d] += p * vrow[d] }
                                }
                            }
                            job += stride
                        }
                    }
                }
            }
            var attn = Kernels.linear(ctx, rows: rows, inDim: h, w: b.oW, bias: b.oB, outDim: h)
            for i in 0..<(rows * h) { attn[i] += x[i] }
            Kernels.layerNorm(&attn, rows: rows, cols: h, w: b.ln1w, b: b.ln1b, eps: eps)
            var inter = Kernels.linear(attn, rows: rows, inDim: h, w: b.iW, bias: b.iB, outDim: intermediate)
            Kernels.gelu(&inter)
            var out = Kernels.linear(inter, rows: rows, inDim: intermediate, w: b.o2W, bias: b.o2B, outDim: h)
            for i in 0..<(rows * h) { out[i] += attn[i] }
            Kernels.layerNorm(&out, rows: rows, cols: h, w: b.ln2w, b: b.ln2b, eps: eps)
            x = out
        }
        // Pooling and normalisation.
        return sentences.indices.map { si in
            var v = [Float](repeating: 0, count: h)
            let n = sentences[si].count
            if meanPooling {
                for t in 0..<n { for c in 0..<h { v[c] += x[(starts[si] + t) * h + c] } }
                for c in 0..<h { v[c] /= Float(n) }
            } else {
                for c in 0..<h { v[c] = x[starts[si] * h + c] }
            }
            Vectors.normalize(&v)
            return v
        }
    }
}

enum Kernels {
    /// y = x W^T + b for x [rows, inDim] and W [outDim, inDim] (PyTorch's Linear layout). A 4x4
    /// micro-kernel of SIMD8 dot products; output columns are split across the cores.
    static func linear(_ x: [Float], rows: Int, inDim: Int, w: [Float], bias: [Float], outDim: Int) -> [Float] {
        var y = [Float](repeating: 0, count: rows * outDim)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // Split output columns across the cores, in multiples of 4 (the kernel's block width).
        let colBlocks = (outDim + 3) / 4
        let chunks = min(colBlocks, cores)
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                bias.withUnsafeBufferPointer { bp in
                    y.withUnsafeMutableBufferPointer { yp in
                        let xb = xp.baseAddress!, wb = wp.baseAddress!, bb = bp.baseAddress!, yb = yp.baseAddress!
                        DispatchQueue.concurrentPerform(iterations: chunks) { ch in
                            let c0 = colBlocks * ch / chunks * 4, c1 = min(outDim, colBlocks * (ch + 1) / chunks * 4)
                            // Rows in slices, so a slice of x stays in cache while the weights stream past.
                            var r = 0
                            while r < rows {
                                let n = min(64, rows - r)
                                ck_linear(xb + r * inDim, Int32(n), Int32(inDim), wb, bb, Int32(outDim), yb + r * outDim, Int32(c0), Int32(c1))
                                r += n
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    static func layerNorm(_ x: inout [Float], rows: Int, cols: Int, w: [Float], b: [Float], eps: Float) {
        x.withUnsafeMutableBufferPointer { xp in
            for r in 0..<rows {
                let row = xp.baseAddress! + r * cols
                var mean: Float = 0
                for c in 0..<cols { mean += row[c] }
                mean /= Float(cols)
                var v: Float = 0
                for c in 0..<cols { let d = row[c] - mean; v += d * d }
                let inv = 1 / (v / Float(cols) + eps).squareRoot()
                for c in 0..<cols { row[c] = (row[c] - mean) * inv * w[c] + b[c] }
            }
        }
    }

    /// GELU: x/2 (1 + erf(x / sqrt 2)), erf to within 1.5e-7.
    static func gelu(_ x: inout [Float]) {
        let n = x.count
        let cores = ProcessInfo.processInfo.activeProcessorCount
        x.withUnsafeMutableBufferPointer { xp in
            let p = xp.baseAddress!
            DispatchQueue.concurrentPerform(iterations: cores) { ch in
                let lo = n * ch / cores, hi = n * (ch + 1) / cores
                ck_gelu(p + lo, hi - lo)
            }
        }
    }
}
