# fuzz/fuzz.mk — libFuzzer harnesses (see fuzz/README.md); included from
# the Makefile.  Everything is built with clang under fuzz/build/, apart from
# the normal build's objects in lib/, cmd/ and bin/.
#
#	make fuzz                   build, then run every harness FUZZ_SECONDS (60) each
#	make fuzz FUZZ_SECONDS=300 FUZZ_HARNESSES="time state"
#	make fuzz-build             build only
#	make fuzz-clean

FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_BUILD    = fuzz/build
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   = -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
                -DFUZZ_ROOT='"$(CURDIR)"'
FUZZ_LDFLAGS  = -fsanitize=fuzzer $(FUZZ_SAN)
# The binary harnesses: the tool's exit() returns to the harness, and what
# the run allocated or opened is tracked so that it can be released (see
# fuzz/tool_harness.c), and series longer than the harness's budget are
# refused (pcs_store_series, idem).
FUZZ_WRAPS    = exit malloc calloc realloc free strdup strndup fopen fdopen fclose \
                open close mkstemp opendir closedir pcs_store_series
FUZZ_WRAP_LD  = $(foreach f,$(FUZZ_WRAPS),-Wl,--wrap=$(f))
# Shared third-party libraries (the normal build links them statically), so
# that the wraps above apply to pcs's own calls only, as they always have.
FUZZ_LDLIBS   = $(DEP_LIBS) -lm -lpthread

FUZZ_LIB_HARNESSES  = csv_reader ndjson_reader time modelfile state
FUZZ_TOOL_HARNESSES = pcs_forecast pcs_risk pcs_shadow_plan pcs_route_weights pcs_replay pcs_retrain
FUZZ_HARNESSES ?= $(FUZZ_LIB_HARNESSES) $(FUZZ_TOOL_HARNESSES)
FUZZ_ALL       = $(FUZZ_LIB_HARNESSES) $(FUZZ_TOOL_HARNESSES)

FUZZ_LIB_OBJ = $(patsubst lib/%.c,$(FUZZ_BUILD)/lib/%.o,$(LIB_SRC))
FUZZ_CLI_OBJ = $(FUZZ_BUILD)/cmd/cli.o $(FUZZ_BUILD)/cmd/cli_streams.o
FUZZ_HDR     = $(LIB_HDR) cmd/cli.h $(wildcard fuzz/*.h) fuzz/fuzz.mk

$(FUZZ_BUILD)/lib/%.o: lib/%.c $(FUZZ_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -std=c11 -c -o $@ $<

$(FUZZ_BUILD)/libpcs.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_CLI_OBJ): $(FUZZ_BUILD)/cmd/%.o: cmd/%.c $(FUZZ_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -std=c11 -c -o $@ $<

# a tool's main() renamed: pcs-route-weights.c defines pcs_route_weights_main
$(FUZZ_BUILD)/cmd/pcs-%.o: cmd/pcs-%.c $(FUZZ_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -std=c11 -Dmain=pcs_$(subst -,_,$*)_main -c -o $@ $<

$(FUZZ_BUILD)/obj/%.o: fuzz/%.c $(FUZZ_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) -Icmd -Ifuzz $(FUZZ_CFLAGS) -std=c11 -c -o $@ $<

$(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_LIB_HARNESSES)): $(FUZZ_BUILD)/fuzz_%: \
		$(FUZZ_BUILD)/obj/fuzz_%.o $(FUZZ_CLI_OBJ) $(FUZZ_BUILD)/libpcs.a
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $< $(FUZZ_CLI_OBJ) $(FUZZ_BUILD)/libpcs.a $(FUZZ_LDLIBS)

define FUZZ_TOOL_RULE
$(FUZZ_BUILD)/fuzz_$(1): $(FUZZ_BUILD)/obj/fuzz_$(1).o $(FUZZ_BUILD)/obj/tool_harness.o \
		$(FUZZ_BUILD)/cmd/$(subst _,-,$(1)).o $(FUZZ_CLI_OBJ) $(FUZZ_BUILD)/libpcs.a
	$$(FUZZ_CC) $$(FUZZ_LDFLAGS) $$(FUZZ_WRAP_LD) -o $$@ $$(filter %.o,$$^) $(FUZZ_BUILD)/libpcs.a $$(FUZZ_LDLIBS)
endef
$(foreach h,$(FUZZ_TOOL_HARNESSES),$(eval $(call FUZZ_TOOL_RULE,$(h))))

fuzz-deps:
	@sh fuzz/deps.sh

fuzz-build: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-harnesses
	@sh fuzz/seeds.sh $(FUZZ_BUILD)/seeds

fuzz-harnesses: $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_ALL))

# Runs the harnesses one after another; a summary per harness (executions,
# CPU seconds, crashes) at the end, status 1 if any found something.
fuzz: fuzz-build
	@bash fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

.PHONY: fuzz fuzz-build fuzz-deps fuzz-harnesses fuzz-clean
