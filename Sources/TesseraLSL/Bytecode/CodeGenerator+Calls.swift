/// Calls: the script's own functions, intrinsics, and built-ins by table (library, runtime, host).
extension CodeGenerator {
    // MARK: - Calls

    /// A call; nil for a void function.
    mutating func call(_ name: String, _ arguments: [Expression]) -> Register? {
        if let index = functionIndex[name] {
            let function = functions[Int(index)]
            // Arguments left to right into temporaries, then into the callee's frame.
            var registers: [Register] = []
            for (argument, type) in zip(arguments, function.parameterTypes) {
                registers.append(expression(argument, as: type))
            }
            var counts = (Int32(0), Int32(0), Int32(0))
            for register in registers {
                switch register {
                case .int(let b): emit(.argi, counts.0, b); counts.0 += 1
                case .float(let b): emit(.argf, counts.1, b); counts.1 += 1
                case .value(let b): emit(.argv, counts.2, b); counts.2 += 1
                }
            }
            emit(.call, index)
            guard let returnType = function.returnType else { return nil }
            let result = allocate(returnType)
            switch result {
            case .int(let a): emit(.geti, a)
            case .float(let a): emit(.getf, a)
            case .value(let a): emit(.getv, a)
            }
            return result
        }
        guard let definition = LSLDefinitions.functions[name] else { return nil }
        if let intrinsic = Intrinsics.names[name], let returnType = definition.returnType {
            // Computed inline on typed registers: no boxing, no argument array.
            var registers: [Register] = []
            for (index, (argument, parameter)) in zip(arguments, definition.parameters).enumerated() {
                let mark = marks()
                var register = expression(argument, as: parameter.type)
                // A local read before an argument that may change it is read now.
                if !isTemporary(register, mark), arguments[(index + 1)...].contains(where: { hasEffects($0) }) {
                    let copy = allocate(parameter.type)
                    move(register, to: copy)
                    register = copy
                }
                registers.append(register)
            }
            let result = allocate(returnType)
            emit(intrinsic, result.index, registers[0].index, registers.count > 1 ? registers[1].index : 0)
            return result
        }
        let first = allocateValues(max(arguments.count, 1))
        for (index, (argument, parameter)) in zip(arguments, definition.parameters).enumerated() {
            let mark = marks()
            let register = expression(argument, as: parameter.type)
            _ = boxed(register, into: first + Int32(index))
            reset(mark)
        }
        let opcode: Opcode
        let table: Int32
        if let runtime = RuntimeFunction(name: name) {
            opcode = .runtime
            table = runtime.rawValue
        } else if LSLLibrary.functions[name] != nil {
            opcode = .lib
            table = libraryIndex[name] ?? {
                let index = Int32(libraryNames.count)
                libraryNames.append(name)
                libraryIndex[name] = index
                return index
            }()
        } else {
            opcode = .host
            table = hostIndex[name] ?? {
                let index = Int32(hostNames.count)
                hostNames.append(name)
                hostIndex[name] = index
                return index
            }()
        }
        emit(opcode, first, first, table)
        guard let returnType = definition.returnType else { return nil }
        return unboxed(first, as: returnType)
    }
}
