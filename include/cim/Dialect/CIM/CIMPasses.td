//===- CIMPasses.td - CIM transformation passes ------------*- tablegen -*-===//
//
// Passes that map a model onto compute-in-memory arrays.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMPASSES_TD
#define CIM_DIALECT_CIM_CIMPASSES_TD

include "mlir/Pass/PassBase.td"

def MapMatMuls : Pass<"cim-map-matmuls", "mlir::ModuleOp"> {
  let summary = "Turn matrix products with constant weights into cim.linear";
  let description = [{
    Every `cim.matmul` whose right operand is a constant 2-D matrix becomes a
    `cim.linear`, an analog product read out through the target's ADC. A
    product whose right operand is computed at run time (a graph input, or an
    attention score) stays a `cim.matmul` and runs in the digital unit: the
    target's arrays are written once when a model is loaded, so operands that
    change per inference are not placed on them.

    Before:
    ```mlir
    %w = arith.constant dense<...> : tensor<4x3xf32>
    %y = cim.matmul %x, %w : tensor<?x4xf32>, tensor<4x3xf32> -> tensor<?x3xf32>
    ```
    After:
    ```mlir
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>}
        : tensor<?x4xf32>, tensor<4x3xf32> -> tensor<?x3xf32>
    ```
    Needs the module's `cim.target` attribute.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def PlaceWeights : Pass<"cim-place-weights", "mlir::ModuleOp"> {
  let summary = "Choose the memory technology of every constant weight";
  let description = [{
    Sets `placement` on every `cim.linear`, by policy, in this order:
    1. an explicit rule: the first `overrides` entry (`REGEX=CELL`, or a
       `place` entry of the module's `cim.placement`) whose regex matches the
       whole ONNX initializer name of the weight;
    2. fine-tunable weights (`tunable` regexes of `cim.placement`, then of
       the option) go to SRAM, where the target has SRAM arrays;
    3. frozen weights (all others) go to ROM, where the target has ROM;
    4. the rest go to RRAM, or else to the target's first kind of array.
    The capacity of each kind is checked after tiling, by `cim-pack-tiles`.

    The optional module attribute `cim.placement` holds the rules of a
    placement file (`cim-compile --placement FILE` reads the JSON
    `{"place": {"REGEX": "rram|rom|sram", ...}, "tunable": ["REGEX", ...]}`
    and attaches it): `{place = {"REGEX" = "CELL", ...}, tunable = [...]}`,
    its `place` rules applied in the order of their regexes. The pass reads
    no files.

    Before:
    ```mlir
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>, weight_name = "fc1.weight"}
    ```
    After (target with ROM arrays):
    ```mlir
    %y = cim.linear %x, %w {placement = #cim<cell rom>, readout = #cim.adc<bits = 8>,
                            weight_name = "fc1.weight"}
    ```
  }];
  let options = [
    ListOption<"overrides", "overrides", "std::string",
               "REGEX=CELL: weights whose ONNX name matches REGEX go to CELL "
               "(rram, rom or sram) arrays">,
    ListOption<"tunable", "tunable", "std::string",
               "REGEX: fine-tunable weights (placed on SRAM)">
  ];
}

def TileWeights : Pass<"cim-tile-weights", "mlir::ModuleOp"> {
  let summary = "Split constant weight matrices onto the target's arrays";
  let description = [{
    Each `cim.linear` with a `K x N` weight is split into blocks that fit one
    array of the kind it is placed on (its `placement`, else the target's
    first kind of array): at most `rows` weight rows, and at most `cols / 2`
    weight columns under the differential encoding (two cells, g+ and g-,
    per signed weight) or `cols - 1` under the offset encoding (one cell per
    weight and one shared reference column). Each block becomes a `cim.program_tile` and a
    `cim.mvm` reading its slice of the input. Blocks that share output columns
    are accumulated with explicit `tosa.add` partial sums; column groups are
    joined with `tosa.concat`.

    An `active-rows` rule (`N` for every product, or `REGEX=N` by ONNX
    weight name; the first matching rule wins) caps a product's blocks at
    N rows: each conversion then sums at most N rows, which cuts IR drop
    (it grows with the square of the rows a column current crosses) and
    narrows the ADC windows of inputs that are correlated, at the price of
    more blocks, MVMs, conversions and partial sums (blocks of one array
    are read one at a time).

    Before (target arrays 4x4):
    ```mlir
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>}
        : tensor<?x6xf32>, tensor<6x2xf32> -> tensor<?x2xf32>
    ```
    After:
    ```mlir
    %t0 = cim.program_tile %w0 {encoding = #cim<encoding differential>}
        : tensor<4x2xf32> -> !cim.tile<4x2, rram>
    %p0 = cim.mvm %t0, %x {readout = #cim.adc<bits = 8>, row_offset = 0 : i64}
        : !cim.tile<4x2, rram>, tensor<?x6xf32> -> tensor<?x2xf32>
    %t1 = cim.program_tile %w1 {encoding = #cim<encoding differential>}
        : tensor<2x2xf32> -> !cim.tile<2x2, rram>
    %p1 = cim.mvm %t1, %x {readout = #cim.adc<bits = 8>, row_offset = 4 : i64}
        : !cim.tile<2x2, rram>, tensor<?x6xf32> -> tensor<?x2xf32>
    %y = tosa.add %p0, %p1 : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tosa::TosaDialect"];
  let options = [
    ListOption<"rules", "active-rows", "std::string",
               "N, or REGEX=N: at most N rows per block of the matching products">
  ];
}

def CheckCapacity : Pass<"cim-check-capacity", "mlir::ModuleOp"> {
  let summary = "Refuse a model that cannot fit the target, before tiling";
  let description = [{
    Counts the cells every `cim.linear` needs on its kind of array (its
    weight rows times its physical columns: two per weight column and
    slice for differential pairs, one per slice plus a reference column for
    offset cells) and divides by the cells of one array: a lower bound of
    the arrays each kind needs. If a kind needs more than the target has
    (its `count` times `macros`), the pass fails at once with the error
    `cim-pack-tiles` would give after tiling and packing, the needed
    arrays as a lower bound ("needs at least N arrays"). With
    `allow-reload`, writable kinds (SRAM, RRAM) pass: they will be time-
    shared. `cim-pack-tiles` still checks the packed count.
  }];
  let options = [
    Option<"allowReload", "allow-reload", "bool", "false",
           "Writable kinds that do not fit will be time-shared">
  ];
}

def PackTiles : Pass<"cim-pack-tiles", "mlir::ModuleOp"> {
  let summary = "Assign tiles to physical arrays and check the capacity";
  let description = [{
    Packs the weight blocks of every `cim.program_tile` into the physical
    arrays of their kind, several to an array where they fit side by side
    or one above another (first-fit decreasing height shelf packing; blocks
    never overlap). A block is read by driving only its rows and converting
    only its columns, so blocks that share an array run one after another.
    Whole blocks can leave arrays partly empty: a second packing splits a
    block that fits nowhere whole, while the arrays' free space could still
    hold all that is left, into the largest free space (a shelf's free
    columns or an array's free rows) and packs the rest on. Pieces of a
    block split by rows are read into partial sums that a `tosa.add` adds;
    pieces split by columns are concatenated. The split packing is kept
    only if it needs fewer arrays (option `split=false` turns it off).
    Sets `array`, `array_row` and `array_col` on each tile, then checks that
    no kind needs more arrays than the target's `count`; if it does, the
    error gives needed versus available arrays and cells per technology.
    With `allow-reload`, a writable kind (SRAM, RRAM) that does not fit is
    time-shared instead: its tiles are marked `reload` (written into the
    arrays at every inference, from off-chip memory), which the cost model
    charges. ROM cannot be reloaded.

    Before (arrays of 4 x 8 cells):
    ```mlir
    %a = cim.program_tile %w0 {encoding = #cim<encoding differential>}
        : tensor<4x2xf32> -> !cim.tile<4x2, rram>
    %b = cim.program_tile %w1 {encoding = #cim<encoding differential>}
        : tensor<4x2xf32> -> !cim.tile<4x2, rram>
    ```
    After (both in array 0, side by side):
    ```mlir
    %a = cim.program_tile %w0 {array = 0 : i64, array_col = 0 : i64,
        array_row = 0 : i64, encoding = #cim<encoding differential>} ...
    %b = cim.program_tile %w1 {array = 0 : i64, array_col = 4 : i64,
        array_row = 0 : i64, encoding = #cim<encoding differential>} ...
    ```
  }];
  let options = [
    Option<"allowReload", "allow-reload", "bool", "false",
           "Time-share writable arrays that do not fit, reloading weights "
           "at every inference">,
    Option<"allowSplit", "split", "bool", "true",
           "Split blocks into free space where that saves arrays">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tosa::TosaDialect"];
}

def RaiseLIF : Pass<"cim-raise-lif", "mlir::ModuleOp"> {
  let summary = "Raise unrolled leaky integrate-and-fire layers to cim.lif";
  let description = [{
    Recognises the time steps of a spiking layer as exported unrolled:

    ```
    v_t = beta * v_{t-1} + I_t          tosa.mul (beta a constant), tosa.add
    s_t = Cast(v_t > theta)             tosa.greater (or greater_equal for
                                        >=) with a constant, cim.cast to f32
    v_t = v_t - s_t * theta             reset by subtraction (tosa.sub, with
                                        or without the product by theta)
    v_t = Where(v_t > theta, 0, v_t)    or reset to zero (tosa.select, or
                                        v_t * (1 - s_t))
    ```

    A step whose current is `I * (1 - s)`, with s the previous step's
    spike, is refractory (the neuron ignores its input for the step after a
    spike); a chain refractory at every step after the first gets
    `refractory = 1`.
    A step without the product by beta has beta = 1 (integrate-and-fire);
    the first step's membrane may be a zero constant (then `init` is
    absent) or any value, or absent altogether (v_1 = I_1, as folding
    leaves it). A chain of such steps with the same beta, theta,
    comparison and reset, whose membranes are used by nothing but the
    chain, becomes one `cim.lif` with a current per step; the last step's
    reset, if anything reads it, becomes the op's final membrane. In the
    body of a `cim.loop` or `cim.scan` one step whose membrane is a carried
    block argument, and whose reset is yielded back to it, becomes a
    one-step `cim.lif` with that argument as `init` (the loop runs the
    layer's steps). Currents
    may be anything computed before the chain (not from its own spikes: a
    recurrent layer is left alone). Chains that differ in their
    parameters between steps, read a membrane elsewhere, or compare with
    a non-constant threshold are left as they are.
  }];
}

def MapLIFNeurons : Pass<"cim-map-lif-neurons", "mlir::ModuleOp"> {
  let summary = "Map cim.lif layers onto the columns' LIF neurons";
  let description = [{
    On a target whose columns have LIF neurons (`lif` in its description),
    a `cim.lif` whose currents are all the same product, `cim.linear` on
    analog (RRAM) arrays with an ADC readout, optionally followed by adding
    a constant bias, of one weight matrix, is mapped onto the neurons: each
    step's product is read with `#cim.charge` (no ADC: the slices' and row
    blocks' charges merge on the column before the neuron), the bias
    becomes the op's bias current, and the op is marked `neurons`. A
    current that several steps share (a constant input, such as an image
    driven at every step) is read once per step, as the array is driven
    again at every step. `mode=digital` leaves every layer's membranes in
    the digital unit; a layer that cannot be mapped gets a remark saying
    why.

    Inputs: a product of a `cim.lif`'s spikes drives its rows with a pulse
    per spike (`input_coding = spikes`: no DAC). The real-valued inputs of
    a mapped layer (an image) are driven as `input-coding` says: `dac`
    (levels), `rate` (each row's DAC code as that many pulses per step),
    `latency` (one pulse per row and step, its time giving the code), or
    `auto` (latency where the target has LIF neurons). All give the DAC's
    value; they differ in pulses, hence energy.
  }];
  let options = [
    Option<"mode", "mode", "std::string", "\"auto\"",
           "neurons (map where possible), digital (never) or auto "
           "(neurons where the target has LIF neurons)">,
    Option<"inputCoding", "input-coding", "std::string", "\"auto\"",
           "real-valued inputs of mapped layers: dac, rate, latency or auto "
           "(latency where the target has LIF neurons)">
  ];
}

def RaiseODE : Pass<"cim-raise-ode", "mlir::ModuleOp"> {
  let summary = "Raise ODE solves (Loop or unrolled Euler/RK4 steps) to cim.ode";
  let description = [{
    Recognises explicit Euler steps h + dt f(h) and classic RK4 steps
    h + dt/6 (k1 + 2 k2 + 2 k3 + k4) algebraically: the step's result is
    expanded through tosa.add, tosa.sub and products with scalar constants
    into a linear combination of the state and evaluations of f, and every
    evaluation must be the same computation (ops, attributes, constant
    weights) of one argument, with at least one constant-weight product.

    A `cim.loop` with a constant-true condition whose body is one such step
    of its only carried value becomes a `cim.ode` with the loop's trip count
    (an attribute if constant, else the runtime operand). A chain of two or
    more steps with the same f, solver and dt, whose intermediate values are
    used by nothing else, becomes a `cim.ode` with that many steps. f moves
    into the ode's body. Loops and chains that are not ODE solves (a body
    using the iteration number, several carried values, a single step, f
    changing between steps) are left alone.

    Before (two unrolled Euler steps):
    ```mlir
    %k1 = <f of %h0>
    %m1 = tosa.mul %k1, %dt
    %h1 = tosa.add %h0, %m1
    %k2 = <f of %h1>
    %m2 = tosa.mul %k2, %dt
    %h2 = tosa.add %h1, %m2
    ```
    After:
    ```mlir
    %h2 = cim.ode euler dt 1.250000e-01 steps 2 init(%h0) : ... {
    ^bb0(%h: tensor<?x32xf32>):
      <f of %h>
      cim.yield %k : tensor<?x32xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def ScheduleODE : Pass<"cim-schedule-ode", "mlir::ModuleOp"> {
  let summary = "Schedule ODE solves in the analog or the digital domain";
  let description = [{
    Sets `schedule` on every `cim.ode` of a tiled module. `analog`: the
    tiles read by f are marked `analog` (no DAC on their rows, no ADC on
    their columns: f's layers and activations chain in the analog domain)
    and the state is held in the target's analog integrators, so the ODE
    converts only at its input (DAC) and output (ADC). `digital`: f's
    layers keep their converters at every step. `auto` (the default) is
    analog on targets with integrators, digital elsewhere. A tile read both
    inside and outside an analog ODE is an error.

    After `cim-schedule-ode{schedule=analog}`:
    ```mlir
    %t = cim.program_tile %w {analog, encoding = ...} ...
    %h = cim.ode euler dt 1.250000e-01 steps 8 init(%h0)
        {schedule = #cim<schedule analog>} ...
    ```
  }];
  let options = [
    Option<"schedule", "schedule", "cim::ODEScheduleMode",
           "cim::ODEScheduleMode::Auto",
           "analog, digital, or auto (analog where the target has "
           "integrators)", [{::llvm::cl::values(
             clEnumValN(cim::ODEScheduleMode::Analog, "analog",
                        "integrators; converters at the ODE's ends only"),
             clEnumValN(cim::ODEScheduleMode::Digital, "digital",
                        "converters around every layer at every step"),
             clEnumValN(cim::ODEScheduleMode::Auto, "auto",
                        "analog where the target has integrators"))}]>
  ];
}

def ChoosePrecision : Pass<"cim-choose-precision", "mlir::ModuleOp"> {
  let summary = "Choose each product's weight precision (bit slices) from an error budget";
  let description = [{
    Sets `weight_bits` on every `cim.linear` read through an ADC: the
    fewest bits whose weight quantisation error is within `error-budget`,
    trying one cell (pair) per weight first (the kind's own weight bits)
    and then one more cell per weight at a time, while a weight still fits
    one array and up to `max-bits`. The error is the RMS of w - Q(w) over
    the RMS of w, each column quantised on its own scale as the artifact
    stores it, to the levels the cells hold (macro::quantisedWeight). With
    4-bit cells and a 2% budget a typical float-trained layer (largest
    weight about four standard deviations) needs two cells per weight (8
    bits, error about 0.5%); one 4-bit cell pair gives about 5%. Slices cost
    array columns and one ADC conversion each per read (the report charges
    them). On the cells chosen, the narrowest width that holds the weights
    exactly is taken instead: a QDQ model's int8 weights (levels q / 127 of
    each column's largest) get 7 bits on two 4-bit pairs, not 8, whose 255
    levels would re-quantise them. Levels that are multiples of a step
    without reaching 127 (a per-tensor scale, a zero point) count as exact
    on the step times the width's levels, the column scale that
    cim-tile-weights then gives the product's tiles.

    `weight-bits` rules fix a product's precision instead: `N` for every
    product, or `REGEX=N` for the products whose ONNX weight name matches
    REGEX (the first matching rule wins; 0 means the kind's). A product
    fused into a ramp readout keeps one cell per weight (slices are added
    after conversion); a remark says when that misses the budget.

    ```mlir
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>}
    // becomes, with 4-bit cells:
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>, weight_bits = 8 : i64}
    ```
  }];
  let options = [
    Option<"errorBudget", "error-budget", "double", "0.02",
           "Largest relative RMS weight quantisation error">,
    Option<"maxBits", "max-bits", "unsigned", "8",
           "Most weight bits the policy chooses">,
    ListOption<"rules", "weight-bits", "std::string",
               "N, or REGEX=N: fixed weight bits (0: the kind's)">
  ];
}

def SplitRows : Pass<"cim-split-rows", "mlir::ModuleOp"> {
  let summary = "Spread the rows of analog products over their tiles' free rows";
  let description = [{
    A product on RRAM arrays read through ADCs needs `ceil(K / R)` row
    blocks of R rows (the array's rows less its spares, or an `active-rows`
    rule's N); the last block leaves rows free. This pass fills them: row r
    of the weight becomes k_r rows of `w_r / k_r`, all driven by the same
    input (a `cim.gather` repeats the input's entries), so every column sum
    is unchanged. Each column is programmed on its own scale, its largest
    |weight|, which maps to the largest conductance: splitting the rows that
    hold the columns' peaks lowers those scales, so the other weights use
    more of the conductance range, and read noise, programming variation's
    absolute part and stuck cells, which act per cell in conductance units,
    shrink in weight units. Each extra row adds one more noisy cell per
    column. The copies minimise the read-noise-to-signal measure
    `(sum_r k_r) * sum_c s_c^2 / |w_c|^2` (`s_c` a column's scale, equal
    input power per row assumed; `cim::macro::chooseRowCopies`): from every
    uniform start that fits (each row copied u times), rows are added one at
    a time where they lower it most, while one does. Copies that do not
    halve the measure are dropped: a smaller saving does not pay for the
    IR drop of fuller columns, the cells and the DAC drives. A bias row is never
    split. The copies take at most the cells of 90% of the target's arrays
    of the kind (the rest is slack for packing), less the weight cells (at
    the weight bits cim-choose-precision chose, each weight matrix once);
    where the model needs more arrays than that, only what its own arrays
    leave free. So they never fail the capacity check. Products take them
    in order of their rows, smallest first. Products on digital (ROM, SRAM) cells, read by binary neurons,
    LIF neurons or a ramp, inside an ODE, or with rows that leave no free
    row stay as they are; so do products whose weight is not finite (tiling
    reports those). The price is the extra rows' DAC drives and cells (the
    report charges them) and a gather per input vector in the digital unit.

    Before (arrays of 4 rows, one column):
    ```mlir
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>}
        : tensor<?x2xf32>, tensor<2x1xf32> -> tensor<?x1xf32>
    // %w = [[4], [1]]
    ```
    After (row 0 copied three times, a scale of 4/3 instead of 4):
    ```mlir
    %g = cim.gather %x, %idx {axis = 1 : i64}    // %idx = [0, 0, 0, 1]
        : tensor<?x2xf32>, tensor<4xi64> -> tensor<?x4xf32>
    %y = cim.linear %g, %w2 {readout = #cim.adc<bits = 8>}
        : tensor<?x4xf32>, tensor<4x1xf32> -> tensor<?x1xf32>
    // %w2 = [[4/3], [4/3], [4/3], [1]]
    ```
  }];
  let options = [
    ListOption<"activeRows", "active-rows", "std::string",
               "N, or REGEX=N: the matching products' tiles drive at most N "
               "rows (as cim-tile-weights)">,
    Option<"maxCopies", "max-copies", "unsigned", /*default=*/"64",
           "Most copies of one row (1: no split)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def ReplicateWeights : Pass<"cim-replicate-weights", "mlir::ModuleOp"> {
  let summary = "Program chosen products several times and average their reads";
  let description = [{
    A product matched by a `replicate` rule (`K` for every product, or
    `REGEX=K` by ONNX weight name; the first matching rule wins) becomes K
    copies of itself, each programmed into its own arrays (`replica` = 0 ..
    K-1 keeps them apart), whose results the digital unit averages. The
    copies' cells are programmed and read independently, so programming
    variation and read noise shrink by sqrt(K) while systematic errors stay;
    the price is K times the arrays, MVMs and conversions of the product and
    K - 1 additions and one scaling per output (the report charges them).
    A product fused into a ramp readout is replicated with its ramp: every
    copy converts its own pre-activation into the activation, and the
    digital unit averages the K activations. In ideal mode the copies agree
    exactly; with device errors e_k the mean of f(x + e_k) is f(x) plus
    f'(x) times the mean error (which shrinks by sqrt(K)) plus a
    second-order bias f''(x) var(e) / 2 that averaging does not remove.

    ```mlir
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>, weight_name = "fc"}
    // with replicate=fc=2 becomes
    %a = cim.linear %x, %w {readout = #cim.adc<bits = 8>, replica = 0 : i64, weight_name = "fc"}
    %b = cim.linear %x, %w {readout = #cim.adc<bits = 8>, replica = 1 : i64, weight_name = "fc"}
    %s = tosa.add %a, %b
    %y = tosa.mul %s, %half
    ```
  }];
  let options = [
    ListOption<"rules", "replicate", "std::string",
               "K, or REGEX=K: copies of the matching products (1: none)">
  ];
  let dependentDialects = ["mlir::tosa::TosaDialect", "mlir::arith::ArithDialect"];
}

def FuseActivations : Pass<"cim-fuse-activations", "mlir::ModuleOp"> {
  let summary = "Fuse monotonic activations into ramp-ADC readouts";
  let description = [{
    A `cim.linear` (with an optional constant bias add) followed by a chain
    of single-use monotonic elementwise ops becomes one `cim.linear` read
    out through a `#cim.ramp` ADC that computes the chain. The chain's ops
    are tanh, sigmoid, exp, log, clamp (relu, clip, hard-sigmoid's bound),
    negate, and products, sums and differences with scalar constants; it
    must contain a nonlinear op. So sigmoid, tanh, relu, a clip before an
    activation (an RNN's `clip`), hard-sigmoid, scaled tanh and softplus
    all fuse. The bias becomes an extra
    weight row driven by a constant 1 (`bias_row`), so all columns share
    one ramp. The pre-activation range is [-R, R] with R the largest column
    sum of |bias| + input-range * |weights|; the ADC's 2^bits levels are
    uniform over the activation's outputs on that range, the thresholds are
    the chain's inverse at the midpoints between levels (levels descend
    for a falling chain; thresholds always ascend), the ramp
    column's conductances are the steps between thresholds (largest at the
    array's G_max), and the ramp's largest and RMS error against the exact
    activation over the range are recorded in LSB. Calibrated ranges by
    activation name (from sample data, see `python/scripts/calibrate_ramps.py`)
    replace the worst-case range: the module attribute `cim.ramp_ranges`,
    `{NAME = [lo, hi], ...}` of f64, which `cim-compile --ramp-ranges FILE`
    attaches (the pass reads no files). With `ramp-targets-only` the pass
    does nothing unless the target's ADC is a ramp (the pipelines'
    `fuse-activations=auto`).

    Not fused, with a remark: a non-monotonic op (abs, sin, cos); a chain
    that is not monotonic or not finite over the range (log of a range
    reaching 0); a product whose rows span several arrays (its partial sums
    are added digitally before the activation); bit-sliced weights; an
    activation that is constant over the range.

    ```mlir
    %y = cim.linear %x, %wb {bias_row, readout = #cim.ramp<bits = 5,
        function = "tanh", ...>} : tensor<?x32xf32>, tensor<33x64xf32> -> ...
    ```
  }];
  let options = [
    Option<"bits", "bits", "unsigned", "0",
           "ramp ADC resolution (0: the target's ADC bits)">,
    Option<"inputRange", "input-range", "double", "1.0",
           "bound on |input| used for the pre-activation range">,
    Option<"rampTargetsOnly", "ramp-targets-only", "bool", "false",
           "fuse only where the module's target has a ramp ADC">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def FuseSignNeurons : Pass<"cim-fuse-sign-neurons", "mlir::ModuleOp"> {
  let summary = "Map binary products with a sign activation onto bridge neurons";
  let description = [{
    A `cim.linear` whose weights are all +-1 (or 0), on a differential RRAM
    array, followed by per-column affine steps with constant operands and a
    binarising activation becomes one `cim.linear` read by binary neurons
    (`#cim.sign`): each weight is an RRAM bridge, the column's capacitive
    neuron compares the shared charge with a reference, and no ADC reads
    it. The steps are a bias add (or subtraction), a scale and a shift in
    the order `add? mul? add?` (a BatchNormalization imports as a scale and
    a shift; a Gemm bias as an add); the activation is ONNX Sign (0 at a
    zero pre-activation), `Where(v > c, 1, -1)` or `Where(v >= c, 1, -1)`,
    with c a constant. The neuron keeps the steps so that ideal simulation
    is exact, and its comparator's reference is where they cross zero (a
    negative scale, e.g. BatchNormalization with gamma < 0, reverses the
    comparison). Fan-ins above the array's rows are split by
    `cim-tile-weights` into groups that share their charge.

    `reference` chooses where a comparator's reference sits when the
    product's inputs are +-1 (a select of 1 and -1, or binary neurons): the
    pre-activation q then only takes the values -m, -m + 2, ..., m (m the
    column's nonzero weights), and `midway` (the default) puts it between
    the two values where the device's output changes, a margin of one
    bridge on both sides; `crossing` keeps the real crossing. Without +-1
    inputs it is always the crossing.

    `mapping` chooses: `bridge` (binary neurons; the target needs
    `bridge_neurons`), `current-sum` (leave products on ADCs with the
    activation in the digital unit: the pass does nothing), or `auto`
    (bridge where the target has bridge neurons). A product followed by a
    sign that cannot be mapped gets a remark saying why.
  }];
  let options = [
    Option<"mapping", "mapping", "std::string", "\"auto\"",
           "bridge, current-sum or auto (bridge where the target has "
           "bridge neurons)">,
    Option<"reference", "reference", "std::string", "\"midway\"",
           "comparator references with +-1 inputs: midway (between the "
           "reachable pre-activations where the output changes) or "
           "crossing (where the steps cross the comparison)">
  ];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def ExposePreactivations : Pass<"cim-expose-preactivations", "mlir::ModuleOp"> {
  let summary = "Return the inputs of fusable activations, for calibration";
  let description = [{
    Adds the input of every fusable activation that follows a product
    (optionally with a bias) in `@main` as an extra result named
    `preact:<activation name>`. An activation in the body of a `cim.loop`
    of `@main` (a lowered recurrent layer's gate, named `LAYER:GATE`) is
    yielded as an extra scan output of the loop first, so its result
    stacks the values of every iteration. Running the artifact on sample
    data then gives the range of each pre-activation, which
    `cim-fuse-activations` takes as `cim.ramp_ranges`
    (`python/scripts/calibrate_ramps.py` does both).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def LowerRecurrent : Pass<"cim-lower-recurrent", "mlir::ModuleOp"> {
  let summary = "Lower RNN, GRU and LSTM layers to time loops of gate products";
  let description = [{
    Every `cim.rnn`, `cim.gru` and `cim.lstm` becomes, per direction, a
    `cim.loop` over the time steps. Each gate is one `cim.matmul` of the
    stacked input and state [x_t, h] with the stacked weights
    [W_g^T; R_g^T], plus the gate's summed biases, then its activation; the
    GRU's candidate gate reads [x_t, r * h] (with `linear_before_reset` it
    is two products combined with r digitally). The elementwise cell
    arithmetic stays digital. Mapping then puts the gate weights on arrays,
    and `cim-fuse-activations` can fuse each gate's bias and activation
    into a ramp readout.

    Every attribute is lowered: reverse and bidirectional passes, layout 1,
    sequence lengths (masking; a reverse pass walks the whole axis
    backwards, which starts each entry at its own last step), missing
    initial states, clip, peepholes, input_forget and every ONNX activation
    with its alpha and beta. Layers whose weights, biases or peepholes are
    not constants, or whose sequence length and batch are both dynamic,
    keep their digital kernel, with a remark saying why.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tosa::TosaDialect"];
}

def SetTarget : Pass<"cim-set-target", "mlir::ModuleOp"> {
  let summary = "Set the module's target to a built-in preset";
  let description = [{
    Replaces the module's `cim.target` attribute by the `#cim.target` of the
    preset named `target` (see `cim-compile --list-targets`), so that a
    pipeline can choose the target as `cim-compile --target` does. Target
    description files are read by `cim-compile`, which attaches the target
    itself; the pass reads no files.

    ```mlir
    // cim-opt --cim-set-target="target=rram-ramp-adc"
    module attributes {cim.target = #cim.target<name = "rram-ramp-adc", ...>}
    ```
  }];
  let options = [
    Option<"target", "target", "std::string", "",
           "name of a target preset">
  ];
}

#endif // CIM_DIALECT_CIM_CIMPASSES_TD
