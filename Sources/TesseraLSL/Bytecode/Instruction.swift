/// One VM instruction: an opcode, a sub-operation (`x`), and three operands. Operands name
/// registers of the current frame (`i` integer, `f` float, `v` value registers), globals, jump
/// targets or table indexes, as each opcode says (docs/lsl.md, "Bytecode").
struct Instruction: Sendable, Hashable {
    var op: Opcode
    var x: UInt8
    var a: Int32
    var b: Int32
    var c: Int32

    init(_ op: Opcode, _ a: Int32 = 0, _ b: Int32 = 0, _ c: Int32 = 0, x: UInt8 = 0) {
        self.op = op
        self.x = x
        self.a = a
        self.b = b
        self.c = c
    }
}

enum Opcode: UInt8, Sendable, Hashable, CaseIterable {
    // Integers: i[a] = …
    case iconst      // i[a] = b
    case imov        // i[a] = i[b]
    case iadd, isub, imul, idiv, imod, iand, ior, ixor, ishl, ishr, iland, ilor
    case ieq, ine, ilt, ile, igt, ige   // i[a] = i[b] op i[c]
    case iaddk       // i[a] = i[b] &+ c
    case ineg, inot, ibitnot            // i[a] = op i[b]
    // Floats
    case fconst      // f[a] = Float(bitPattern: b)
    case fmov
    case fadd, fsub, fmul, fdiv         // f[a] = f[b] op f[c]
    case feq, fne, flt, fle, fgt, fge   // i[a] = f[b] op f[c]
    case fneg
    case faddk, fsubk, fmulk                 // f[a] = f[b] op Float(bitPattern: c)
    case itof        // f[a] = Float(i[b])
    case ftoi        // i[a] = (integer) f[b]
    case ftrue       // i[a] = f[b] != 0
    // Built-ins the VM computes itself on typed registers (the library's results exactly)
    case sqrtf       // f[a] = llSqrt(f[b])
    case fabsf       // f[a] = llFabs(f[b])
    case iabs        // i[a] = llAbs(i[b])
    // Globals (integers and floats; values further down)
    case ldgi, ldgf  // r[a] = global b
    case stgi, stgf  // global a = r[b]
    // Jumps
    case jmp         // pc = a
    case jz, jnz     // if i[a] == 0 / != 0: pc = b
    case jlt, jle, jgt, jge, jeq, jne        // if i[a] op i[b]: pc = c
    case jltk, jlek, jgtk, jgek, jeqk, jnek  // if i[a] op b: pc = c
    case incjlt      // i[a] += 1; if i[a] < i[b]: pc = c (the end of `for (…; i < n; ++i)`)
    case incjltk     // i[a] += 1; if i[a] < b: pc = c
    // Values (strings, keys, vectors, rotations, lists): from here on, an instruction may change
    // the script's memory, and the VM checks it after each.
    case vconst      // v[a] = constants[b]
    case vmov
    case vbin        // v[a] = v[b] (BinaryOperator x) v[c]
    case vun         // v[a] = (UnaryOperator x) v[b]
    case vcast       // v[a] = (LSLType x) v[b]
    case vtrue       // i[a] = v[b] is true
    case boxi        // v[a] = .integer(i[b])
    case boxf        // v[a] = .float(f[b])
    case unboxi      // i[a] = v[b] as integer
    case unboxf      // f[a] = v[b] as float
    case vget        // f[a] = component x (0 x, 1 y, 2 z, 3 s) of v[b]
    case vset        // component x of v[a] = f[b]
    case mkvec       // v[a] = <f[b], f[b+1], f[b+2]>
    case mkrot       // v[a] = <f[b], …, f[b+3]>
    case mklist      // v[a] = [v[b], …, v[b+c-1]]
    case vappend     // v[a] += v[b] in place (a list or a string)
    case gappend     // global value a += v[b] in place
    case listlen     // i[a] = llGetListLength(v[b])
    case list2int    // i[a] = llList2Integer(v[b], i[c])
    case list2float  // f[a] = llList2Float(v[b], i[c])
    case strlen      // i[a] = llStringLength(v[b])
    case vclear      // v[a..<a+b] let go of their values (temporaries at a statement's end)
    case ldgv        // v[a] = global value b
    case stgv        // global value a = v[b]
    // Calls and the rest
    case argi, argf, argv // callee register a (of its kind) = r[b]
    case call        // call function a
    case reti, retf, retv // return r[a]
    case ret         // return (void)
    case geti, getf, getv // r[a] = the value the last call returned
    case lib         // v[a] = library function c (v[b], …)
    case host        // v[a] = host function c (v[b], …)
    case runtime     // v[a] = runtime function c (v[b], …)
    case print       // host.print(string of v[a])
    case state       // change to state a
    case end         // the event handler is done
}
