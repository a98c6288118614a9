;; A phonefleet script written by hand in WebAssembly text, for the one hostile pattern a Rust
;; guest cannot express: `run` grows a table by 1,000 elements at a time until the host refuses
;; (table.grow answers -1), then traps. `describe` and `plan` follow the canonical ABI of the
;; `script` world (strings as pointer and length in this module's memory).
(module
  (memory (export "memory") 1)
  (table $grown 1 funcref)
  (global $heap (mut i32) (i32.const 4096))

  ;; A bump allocator, 8-aligned, growing memory as it goes: enough for a host handing in a config.
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $at i32)
    (local.set $at (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (global.set $heap (i32.add (local.get $at) (local.get 3)))
    (block $fits
      (br_if $fits (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
      (drop (memory.grow (i32.add (i32.const 1)
        (i32.div_u (global.get $heap) (i32.const 65536))))))
    (local.get $at))

  (data (i32.const 1024) "tablegrow")
  (data (i32.const 1040) "0.1.0")
  (data (i32.const 1056) "grows a table until the host refuses")
  (data (i32.const 1104) "{\"type\":\"object\"}")

  ;; script-info: four strings, each (pointer, length), at 2048.
  (func (export "describe") (result i32)
    (i32.store (i32.const 2048) (i32.const 1024))
    (i32.store (i32.const 2052) (i32.const 9))
    (i32.store (i32.const 2056) (i32.const 1040))
    (i32.store (i32.const 2060) (i32.const 5))
    (i32.store (i32.const 2064) (i32.const 1056))
    (i32.store (i32.const 2068) (i32.const 36))
    (i32.store (i32.const 2072) (i32.const 1104))
    (i32.store (i32.const 2076) (i32.const 17))
    (i32.const 2048))

  ;; ok([config]): the result at 2096 (tag 0, list pointer, length 1), the list's one string at 2112.
  (func (export "plan") (param i32 i32) (result i32)
    (i32.store (i32.const 2112) (local.get 0))
    (i32.store (i32.const 2116) (local.get 1))
    (i32.store8 (i32.const 2096) (i32.const 0))
    (i32.store (i32.const 2100) (i32.const 2112))
    (i32.store (i32.const 2104) (i32.const 1))
    (i32.const 2096))

  (func (export "run") (param i32 i32) (result i32)
    (block $refused
      (loop $grow
        (br_if $refused
          (i32.eq (table.grow $grown (ref.null func) (i32.const 1000)) (i32.const -1)))
        (br $grow)))
    unreachable))
