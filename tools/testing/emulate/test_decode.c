// SPDX-License-Identifier: GPL-2.0
/* Decoder tests: lengths, fields, prefixes, malformed and truncated input. */
#include "emu_env.h"

#define R	X86_MODE_REAL
#define P16	X86_MODE_PROT16
#define P32	X86_MODE_PROT32
#define L64	X86_MODE_LONG64
#define INV	(-X86_EMU_ERR_INVALID)
#define TRUNC	(-X86_EMU_ERR_TRUNCATED)

static const char *const mode_name[] = { "real", "prot16", "prot32", "long64" };

struct dcase {
	enum x86_cpu_mode mode;
	const char *hex;
	int ret;		/* 0 or INV/TRUNC */
	unsigned int len;
	unsigned int opsize;	/* 0: don't check */
	unsigned int adsize;
	unsigned int op;	/* X86_OP_*, 0: don't check */
};

static const struct dcase dcases[] = {
	/* MOV 88-8B, all modes */
	{ L64, "89 03", 0, 2, 4, 8, X86_OP_MOV },
	{ L64, "48 89 03", 0, 3, 8, 8, X86_OP_MOV },
	{ L64, "66 89 03", 0, 3, 2, 8, X86_OP_MOV },
	{ L64, "88 03", 0, 2, 1, 8, X86_OP_MOV },
	{ L64, "40 88 23", 0, 3, 1, 8, X86_OP_MOV },
	{ L64, "8a 43 10", 0, 3, 1, 8, X86_OP_MOV },
	{ L64, "8b 84 24 00 01 00 00", 0, 7, 4, 8, X86_OP_MOV },
	{ L64, "8b 05 78 56 34 12", 0, 6, 4, 8, X86_OP_MOV },
	{ L64, "67 8b 03", 0, 3, 4, 4, X86_OP_MOV },
	{ L64, "4c 8b 44 8d f0", 0, 5, 8, 8, X86_OP_MOV },
	{ L64, "42 8b 04 25 00 10 00 00", 0, 8, 4, 8, X86_OP_MOV },
	{ L64, "41 89 45 00", 0, 4, 4, 8, X86_OP_MOV },
	{ L64, "48 8c 18", 0, 3, 8, 8, X86_OP_MOV_SREG },
	{ L64, "8e 18", 0, 2, 4, 8, X86_OP_MOV_SREG },
	{ P32, "89 03", 0, 2, 4, 4, X86_OP_MOV },
	{ P32, "66 89 03", 0, 3, 2, 4, X86_OP_MOV },
	{ P32, "67 89 07", 0, 3, 4, 2, X86_OP_MOV },
	{ P32, "8b 44 24 04", 0, 4, 4, 4, X86_OP_MOV },
	{ P32, "8b 05 00 10 00 00", 0, 6, 4, 4, X86_OP_MOV },
	{ P32, "8a 80 00 10 00 00", 0, 6, 1, 4, X86_OP_MOV },
	{ P16, "89 07", 0, 2, 2, 2, X86_OP_MOV },
	{ P16, "66 89 07", 0, 3, 4, 2, X86_OP_MOV },
	{ P16, "8b 46 02", 0, 3, 2, 2, X86_OP_MOV },
	{ P16, "8b 06 34 12", 0, 4, 2, 2, X86_OP_MOV },
	{ P16, "67 8b 03", 0, 3, 2, 4, X86_OP_MOV },
	{ P16, "8b 80 00 10", 0, 4, 2, 2, X86_OP_MOV },
	{ R, "89 07", 0, 2, 2, 2, X86_OP_MOV },
	{ R, "88 26 00 10", 0, 4, 1, 2, X86_OP_MOV },
	{ R, "66 67 8b 44 24 08", 0, 6, 4, 4, X86_OP_MOV },
	/* C6/C7 */
	{ L64, "c6 00 12", 0, 3, 1, 8, X86_OP_MOV },
	{ L64, "c7 00 78 56 34 12", 0, 6, 4, 8, X86_OP_MOV },
	{ L64, "48 c7 00 ff ff ff ff", 0, 7, 8, 8, X86_OP_MOV },
	{ L64, "66 c7 00 34 12", 0, 5, 2, 8, X86_OP_MOV },
	{ L64, "48 c7 84 24 00 01 00 00 78 56 34 12", 0, 12, 8, 8, X86_OP_MOV },
	{ P32, "c7 05 00 10 00 00 78 56 34 12", 0, 10, 4, 4, X86_OP_MOV },
	{ P16, "c7 06 34 12 78 56", 0, 6, 2, 2, X86_OP_MOV },
	{ P16, "66 c7 06 34 12 78 56 34 12", 0, 9, 4, 2, X86_OP_MOV },
	{ R, "c6 47 01 ff", 0, 4, 1, 2, X86_OP_MOV },
	/* moffs */
	{ L64, "a0 88 77 66 55 44 33 22 11", 0, 9, 1, 8, X86_OP_MOV },
	{ L64, "48 a1 88 77 66 55 44 33 22 11", 0, 10, 8, 8, X86_OP_MOV },
	{ L64, "67 a1 44 33 22 11", 0, 6, 4, 4, X86_OP_MOV },
	{ L64, "a2 88 77 66 55 44 33 22 11", 0, 9, 1, 8, X86_OP_MOV },
	{ L64, "66 a3 88 77 66 55 44 33 22 11", 0, 10, 2, 8, X86_OP_MOV },
	{ P32, "a1 00 10 00 00", 0, 5, 4, 4, X86_OP_MOV },
	{ P32, "67 a1 00 10", 0, 4, 4, 2, X86_OP_MOV },
	{ P16, "a1 34 12", 0, 3, 2, 2, X86_OP_MOV },
	{ R, "a3 34 12", 0, 3, 2, 2, X86_OP_MOV },
	{ R, "67 a2 78 56 34 12", 0, 6, 1, 4, X86_OP_MOV },
	/* MOVZX/MOVSX/MOVSXD */
	{ L64, "0f b6 03", 0, 3, 4, 8, X86_OP_MOVZX },
	{ L64, "66 0f b6 03", 0, 4, 2, 8, X86_OP_MOVZX },
	{ L64, "48 0f b7 03", 0, 4, 8, 8, X86_OP_MOVZX },
	{ L64, "48 0f be 03", 0, 4, 8, 8, X86_OP_MOVSX },
	{ L64, "0f bf 03", 0, 3, 4, 8, X86_OP_MOVSX },
	{ L64, "48 63 03", 0, 3, 8, 8, X86_OP_MOVSXD },
	{ L64, "63 03", 0, 2, 4, 8, X86_OP_MOVSXD },
	{ P32, "0f b7 07", 0, 3, 4, 4, X86_OP_MOVZX },
	{ P16, "0f be 07", 0, 3, 2, 2, X86_OP_MOVSX },
	{ R, "66 0f b7 07", 0, 4, 4, 2, X86_OP_MOVZX },
	/* string */
	{ L64, "f3 a4", 0, 2, 1, 8, X86_OP_MOVS },
	{ L64, "f3 48 a5", 0, 3, 8, 8, X86_OP_MOVS },
	{ L64, "a5", 0, 1, 4, 8, X86_OP_MOVS },
	{ L64, "67 f3 66 a5", 0, 4, 2, 4, X86_OP_MOVS },
	{ L64, "aa", 0, 1, 1, 8, X86_OP_STOS },
	{ L64, "f3 48 ab", 0, 3, 8, 8, X86_OP_STOS },
	{ L64, "ac", 0, 1, 1, 8, X86_OP_LODS },
	{ L64, "48 ad", 0, 2, 8, 8, X86_OP_LODS },
	{ L64, "f3 a6", 0, 2, 1, 8, X86_OP_CMPS },
	{ L64, "f2 ae", 0, 2, 1, 8, X86_OP_SCAS },
	{ L64, "af", 0, 1, 4, 8, X86_OP_SCAS },
	{ L64, "f3 6c", 0, 2, 1, 8, X86_OP_INS },
	{ L64, "48 6d", 0, 2, 4, 8, X86_OP_INS },
	{ L64, "f3 66 6f", 0, 3, 2, 8, X86_OP_OUTS },
	{ P32, "f3 a5", 0, 2, 4, 4, X86_OP_MOVS },
	{ P16, "f3 a5", 0, 2, 2, 2, X86_OP_MOVS },
	{ R, "f3 66 a5", 0, 3, 4, 2, X86_OP_MOVS },
	{ R, "26 f3 a4", 0, 3, 1, 2, X86_OP_MOVS },
	/* ALU */
	{ L64, "01 03", 0, 2, 4, 8, X86_OP_ADD },
	{ L64, "48 03 03", 0, 3, 8, 8, X86_OP_ADD },
	{ L64, "04 7f", 0, 2, 1, 8, X86_OP_ADD },
	{ L64, "48 05 00 00 00 80", 0, 6, 8, 8, X86_OP_ADD },
	{ L64, "66 05 34 12", 0, 4, 2, 8, X86_OP_ADD },
	{ L64, "08 03", 0, 2, 1, 8, X86_OP_OR },
	{ L64, "11 03", 0, 2, 4, 8, X86_OP_ADC },
	{ L64, "1a 03", 0, 2, 1, 8, X86_OP_SBB },
	{ L64, "23 03", 0, 2, 4, 8, X86_OP_AND },
	{ L64, "29 03", 0, 2, 4, 8, X86_OP_SUB },
	{ L64, "30 03", 0, 2, 1, 8, X86_OP_XOR },
	{ L64, "3b 03", 0, 2, 4, 8, X86_OP_CMP },
	{ L64, "3c 01", 0, 2, 1, 8, X86_OP_CMP },
	{ L64, "80 03 01", 0, 3, 1, 8, X86_OP_ADD },
	{ L64, "80 3b 01", 0, 3, 1, 8, X86_OP_CMP },
	{ L64, "81 0b 78 56 34 12", 0, 6, 4, 8, X86_OP_OR },
	{ L64, "66 81 23 34 12", 0, 5, 2, 8, X86_OP_AND },
	{ L64, "48 83 2b 01", 0, 4, 8, 8, X86_OP_SUB },
	{ L64, "83 33 ff", 0, 3, 4, 8, X86_OP_XOR },
	{ L64, "f0 01 03", 0, 3, 4, 8, X86_OP_ADD },
	{ L64, "f0 83 03 01", 0, 4, 4, 8, X86_OP_ADD },
	{ L64, "f0 80 13 01", 0, 4, 1, 8, X86_OP_ADC },
	{ P32, "82 03 01", 0, 3, 1, 4, X86_OP_ADD },
	{ P16, "83 47 02 80", 0, 4, 2, 2, X86_OP_ADD },
	{ R, "81 0e 00 10 34 12", 0, 6, 2, 2, X86_OP_OR },
	/* TEST, NOT, NEG, INC, DEC */
	{ L64, "84 03", 0, 2, 1, 8, X86_OP_TEST },
	{ L64, "85 03", 0, 2, 4, 8, X86_OP_TEST },
	{ L64, "a8 01", 0, 2, 1, 8, X86_OP_TEST },
	{ L64, "f6 03 01", 0, 3, 1, 8, X86_OP_TEST },
	{ L64, "f7 03 78 56 34 12", 0, 6, 4, 8, X86_OP_TEST },
	{ L64, "66 f7 03 34 12", 0, 5, 2, 8, X86_OP_TEST },
	{ L64, "f6 13", 0, 2, 1, 8, X86_OP_NOT },
	{ L64, "48 f7 1b", 0, 3, 8, 8, X86_OP_NEG },
	{ L64, "fe 03", 0, 2, 1, 8, X86_OP_INC },
	{ L64, "ff 0b", 0, 2, 4, 8, X86_OP_DEC },
	{ L64, "f0 ff 03", 0, 3, 4, 8, X86_OP_INC },
	{ L64, "f0 f7 13", 0, 3, 4, 8, X86_OP_NOT },
	/* XCHG */
	{ L64, "86 03", 0, 2, 1, 8, X86_OP_XCHG },
	{ L64, "48 87 03", 0, 3, 8, 8, X86_OP_XCHG },
	{ L64, "f0 87 03", 0, 3, 4, 8, X86_OP_XCHG },
	/* BT family */
	{ L64, "0f a3 03", 0, 3, 4, 8, X86_OP_BT },
	{ L64, "48 0f ab 03", 0, 4, 8, 8, X86_OP_BTS },
	{ L64, "66 0f b3 03", 0, 4, 2, 8, X86_OP_BTR },
	{ L64, "0f bb 03", 0, 3, 4, 8, X86_OP_BTC },
	{ L64, "0f ba 23 05", 0, 4, 4, 8, X86_OP_BT },
	{ L64, "0f ba 2b 05", 0, 4, 4, 8, X86_OP_BTS },
	{ L64, "f0 0f ba 33 05", 0, 5, 4, 8, X86_OP_BTR },
	{ L64, "f0 48 0f ba 3b 3f", 0, 6, 8, 8, X86_OP_BTC },
	{ L64, "f0 0f ab 03", 0, 4, 4, 8, X86_OP_BTS },
	/* MOVNTI */
	{ L64, "0f c3 03", 0, 3, 4, 8, X86_OP_MOVNTI },
	{ L64, "48 0f c3 03", 0, 4, 8, 8, X86_OP_MOVNTI },
	{ P32, "0f c3 07", 0, 3, 4, 4, X86_OP_MOVNTI },
	{ P16, "0f c3 07", 0, 3, 4, 2, X86_OP_MOVNTI },
	{ R, "66 0f c3 07", INV },
	/* SSE moves */
	{ L64, "66 0f 6e 03", 0, 4, 4, 8, X86_OP_VLOAD },
	{ L64, "66 48 0f 6e 03", 0, 5, 8, 8, X86_OP_VLOAD },
	{ L64, "66 0f 7e 03", 0, 4, 4, 8, X86_OP_VSTORE },
	{ L64, "66 0f d6 03", 0, 4, 0, 8, X86_OP_VSTORE },
	{ L64, "f3 0f 7e 03", 0, 4, 0, 8, X86_OP_VLOAD },
	{ L64, "66 0f 6f 03", 0, 4, 0, 8, X86_OP_VLOAD },
	{ L64, "f3 0f 6f 03", 0, 4, 0, 8, X86_OP_VLOAD },
	{ L64, "66 0f 7f 03", 0, 4, 0, 8, X86_OP_VSTORE },
	{ L64, "f3 44 0f 7f 03", 0, 5, 0, 8, X86_OP_VSTORE },
	{ L64, "0f 28 03", 0, 3, 0, 8, X86_OP_VLOAD },
	{ L64, "0f 29 03", 0, 3, 0, 8, X86_OP_VSTORE },
	{ L64, "0f 10 03", 0, 3, 0, 8, X86_OP_VLOAD },
	{ L64, "0f 11 03", 0, 3, 0, 8, X86_OP_VSTORE },
	{ L64, "66 0f 11 03", 0, 4, 0, 8, X86_OP_VSTORE },
	{ L64, "66 0f e7 03", 0, 4, 0, 8, X86_OP_VSTORE },
	{ L64, "0f 2b 03", 0, 3, 0, 8, X86_OP_VSTORE },
	{ P32, "66 0f 6f 07", 0, 4, 0, 4, X86_OP_VLOAD },
	{ P16, "f3 0f 7f 07", 0, 4, 0, 2, X86_OP_VSTORE },
	{ R, "0f 11 07", 0, 3, 0, 2, X86_OP_VSTORE },
	/* VEX moves */
	{ L64, "c5 f9 6f 03", 0, 4, 0, 8, X86_OP_VLOAD },
	{ L64, "c5 fd 6f 03", 0, 4, 0, 8, X86_OP_VLOAD },
	{ L64, "c5 fa 6f 03", 0, 4, 0, 8, X86_OP_VLOAD },
	{ L64, "c5 fe 7f 03", 0, 4, 0, 8, X86_OP_VSTORE },
	{ L64, "c5 f8 28 03", 0, 4, 0, 8, X86_OP_VLOAD },
	{ L64, "c5 fc 29 03", 0, 4, 0, 8, X86_OP_VSTORE },
	{ L64, "c5 f8 11 03", 0, 4, 0, 8, X86_OP_VSTORE },
	{ L64, "c5 f9 7e 03", 0, 4, 4, 8, X86_OP_VSTORE },
	{ L64, "c5 f9 6e 03", 0, 4, 4, 8, X86_OP_VLOAD },
	{ L64, "c4 e1 f9 7e 03", 0, 5, 8, 8, X86_OP_VSTORE },
	{ L64, "c5 fa 7e 03", 0, 4, 0, 8, X86_OP_VLOAD },
	{ L64, "c5 f9 d6 03", 0, 4, 0, 8, X86_OP_VSTORE },
	{ L64, "c5 79 6f 03", 0, 4, 0, 8, X86_OP_VLOAD },
	{ L64, "c4 41 7d 6f 00", 0, 5, 0, 8, X86_OP_VLOAD },
	{ L64, "c4 e1 7d 7f 43 20", 0, 6, 0, 8, X86_OP_VSTORE },
	{ P32, "c5 f9 6f 07", 0, 4, 0, 4, X86_OP_VLOAD },
	{ P32, "c5 fc 11 47 04", 0, 5, 0, 4, X86_OP_VSTORE },
	{ P16, "c5 f9 7f 07", 0, 4, 0, 2, X86_OP_VSTORE },
	/* prefixes */
	{ L64, "2e 89 03", 0, 3, 4, 8, X86_OP_MOV },
	{ L64, "64 89 03", 0, 3, 4, 8, X86_OP_MOV },
	{ L64, "65 48 89 03", 0, 4, 8, 8, X86_OP_MOV },
	{ L64, "48 66 89 03", 0, 4, 2, 8, X86_OP_MOV },
	{ L64, "66 48 89 03", 0, 4, 8, 8, X86_OP_MOV },
	{ L64, "48 f0 01 03", 0, 4, 4, 8, X86_OP_ADD },
	{ L64, "f3 f2 a4", 0, 3, 1, 8, X86_OP_MOVS },
	{ L64, "f3 89 03", 0, 3, 4, 8, X86_OP_MOV },
	{ L64, "41 48 89 03", 0, 4, 8, 8, X86_OP_MOV },
	{ P32, "2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 89 03", 0, 15, 4, 4,
	  X86_OP_MOV },
	{ P32, "26 89 03", 0, 3, 4, 4, X86_OP_MOV },
	{ P32, "f0 66 87 03", 0, 4, 2, 4, X86_OP_XCHG },

	/* invalid */
	{ P32, "2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 89 03", INV },
	{ L64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 03", INV },
	{ L64, "48 c7 84 24 00 01 00 00 78 56 34 12 ff ff", 0, 12, 8, 8,
	  X86_OP_MOV },
	{ L64, "66 66 66 48 c7 84 24 00 01 00 00 78 56 34 12", 0, 15, 8, 8,
	  X86_OP_MOV },
	{ L64, "66 66 66 66 48 c7 84 24 00 01 00 00 78 56 34 12", INV },
	{ L64, "06", INV },
	{ L64, "82 03 01", INV },
	{ L64, "0f 0b", INV },
	{ L64, "0f 38 00 03", INV },
	{ L64, "f0 89 03", INV },
	{ L64, "f0 8b 03", INV },
	{ L64, "f0 01 c3", INV },
	{ L64, "f0 87 c3", INV },
	{ L64, "f0 a4", INV },
	{ L64, "f0 0f a3 03", INV },
	{ L64, "f0 0f ba 23 01", INV },
	{ L64, "f0 38 03", INV },
	{ L64, "f0 85 03", INV },
	{ L64, "f0 c6 00 01", INV },
	{ L64, "f0 0f b6 03", INV },
	{ L64, "f0 66 0f 6f 03", INV },
	{ L64, "8f 00", INV },
	{ L64, "ff 13", INV },
	{ L64, "ff 30", INV },
	{ L64, "c6 f8 00", INV },
	{ L64, "c7 08 00 00 00 00", INV },
	{ L64, "f6 23", INV },
	{ L64, "f7 3b", INV },
	{ L64, "fe 13", INV },
	{ L64, "0f ba 03 01", INV },
	{ L64, "0f c3 c3", INV },
	{ L64, "66 0f c3 03", INV },
	{ L64, "f3 0f c3 03", INV },
	{ L64, "0f 6f 03", INV },
	{ L64, "0f 7e 03", INV },
	{ L64, "f2 0f 6f 03", INV },
	{ L64, "f2 0f d6 c0", INV },
	{ L64, "0f e7 03", INV },
	{ L64, "66 0f e7 c0", INV },
	{ L64, "c5 f1 6f 03", INV },
	{ L64, "c5 fd 6e 03", INV },
	{ L64, "c5 fd 7e 03", INV },
	{ L64, "c5 fd d6 03", INV },
	{ L64, "66 c5 f9 6f 03", INV },
	{ L64, "f3 c5 f9 6f 03", INV },
	{ L64, "f0 c5 f9 6f 03", INV },
	{ L64, "48 c5 f9 6f 03", INV },
	{ L64, "c4 e2 79 6f 03", INV },
	{ L64, "c5 f9 89 03", INV },
	{ L64, "c5 fb 6f 03", INV },
	{ P32, "63 03", INV },
	{ P32, "40", INV },
	{ P32, "48 89 03", INV },
	{ P32, "c4 03", INV },
	{ P32, "c5 79 6f 03", INV },
	{ P32, "c4 e1 f9 7e 03", INV },
	{ P16, "c5 07", INV },
	{ R, "c5 f9 6f 03", INV },
	{ R, "0f 01 10", INV },
	{ R, "63 03", INV },
	{ L64, "8c 30", INV },
	{ L64, "8e 08", INV },
	{ P32, "8e 18", 0, 2, 4, 4, X86_OP_MOV_SREG },
	{ L64, "", TRUNC },
	{ L64, "f2 0f 6f", INV },
	{ L64, "0f 6f", INV },
	{ L64, "c5 f9 89", INV },
	{ L64, "c4 e2 79", INV },
	{ L64, "c6", TRUNC },
	{ L64, "66", TRUNC },
	{ L64, "0f", TRUNC },
	{ L64, "c5", TRUNC },
	{ P32, "c5", TRUNC },
};

static void check_case(const struct dcase *t)
{
	struct x86_insn insn;
	u8 b[64];
	int n = hex_bytes(t->hex, b), ret, i;

	ret = x86_decode(&insn, b, n, t->mode);
	if (t->ret) {
		CHECK_EQ(ret, t->ret, "decode %s [%s] -> %s", mode_name[t->mode],
			 t->hex, t->ret == INV ? "invalid" : "truncated");
		return;
	}
	tap_ok(ret == 0 && insn.len == t->len &&
	       (!t->opsize || insn.opsize == t->opsize) &&
	       insn.adsize == t->adsize && (!t->op || insn.desc->op == t->op),
	       "decode %s [%s] len %u opsize %u adsize %u", mode_name[t->mode],
	       t->hex, t->len, t->opsize, t->adsize);
	if (ret)
		tap_diag("  ret %d", ret);
	else if (insn.len != t->len || (t->opsize && insn.opsize != t->opsize) ||
		 insn.adsize != t->adsize || (t->op && insn.desc->op != t->op))
		tap_diag("  got len %u opsize %u adsize %u op %u", insn.len,
			 insn.opsize, insn.adsize, insn.desc->op);

	/* Every proper prefix of the instruction is truncated. */
	for (i = 0; i < (int)t->len; i++) {
		ret = x86_decode(&insn, b, i, t->mode);
		if (ret != TRUNC)
			break;
	}
	tap_ok(i == (int)t->len, "decode %s [%s]: all %u prefixes truncated",
	       mode_name[t->mode], t->hex, t->len);
	if (i != (int)t->len)
		tap_diag("  prefix of %d bytes gave %d", i, ret);
}

static void field_checks(void)
{
	struct x86_insn i;

	env_decode(&i, L64, "4c 8b 44 8d f0");
	tap_ok(i.reg == 8 && i.base == 5 && i.index == 1 && i.scale == 2 &&
	       i.disp == -16 && i.has_sib && i.seg == X86_SEG_SS &&
	       i.disp_size == 1, "fields: mov r8,[rbp+rcx*4-16]");
	env_decode(&i, L64, "43 8b 04 2c");
	tap_ok(i.base == 12 && i.index == 13 && i.seg == X86_SEG_DS,
	       "fields: REX.XB extend SIB base/index, r12 base is DS");
	env_decode(&i, L64, "42 8b 04 25 00 10 00 00");
	tap_ok(i.base == X86_REG_NONE && i.index == 12 &&
	       i.disp == 0x1000, "fields: SIB no base, REX.X index 12");
	env_decode(&i, L64, "8b 05 78 56 34 12");
	tap_ok(i.base == X86_REG_RIP && i.disp == 0x12345678,
	       "fields: RIP-relative");
	env_decode(&i, P32, "8b 05 78 56 34 12");
	tap_ok(i.base == X86_REG_NONE && i.disp == 0x12345678,
	       "fields: disp32 absolute in 32-bit mode");
	env_decode(&i, L64, "41 8b 45 00");
	tap_ok(i.base == 13 && i.seg == X86_SEG_DS && i.disp_size == 1,
	       "fields: [r13+0] needs disp8, default DS");
	env_decode(&i, P16, "8b 42 02");
	tap_ok(i.base == 5 && i.index == 6 && i.seg == X86_SEG_SS,
	       "fields: 16-bit [bp+si+2] default SS");
	env_decode(&i, P16, "3e 8b 42 02");
	tap_ok(i.seg == X86_SEG_DS && i.seg_override == X86_SEG_DS,
	       "fields: DS override on [bp+si]");
	env_decode(&i, L64, "2e 89 03");
	tap_ok(i.seg_override == -1 && i.seg == X86_SEG_DS,
	       "fields: CS override ignored in 64-bit mode");
	env_decode(&i, L64, "36 64 89 03");
	tap_ok(i.seg == X86_SEG_FS, "fields: FS override in 64-bit mode");
	env_decode(&i, L64, "65 3e 8b 00");
	tap_ok(i.seg == X86_SEG_GS,
	       "fields: DS after GS does not cancel it in 64-bit mode");
	env_decode(&i, L64, "64 26 a4");
	tap_ok(i.seg == X86_SEG_FS, "fields: ES after FS on a string source");
	env_decode(&i, P32, "64 3e 8b 00");
	tap_ok(i.seg == X86_SEG_DS, "fields: last segment prefix wins in 32-bit");
	env_decode(&i, L64, "65 8b 04 24");
	tap_ok(i.seg == X86_SEG_GS, "fields: GS override beats SS default");
	env_decode(&i, L64, "48 66 89 03");
	tap_ok(i.rex == 0 && i.opsize == 2, "fields: REX before 66 ignored");
	env_decode(&i, L64, "48 c7 00 ff ff ff 7f");
	tap_ok(i.imm == 0x7fffffff && i.imm_size == 4, "fields: imm32");
	env_decode(&i, L64, "48 c7 00 00 00 00 80");
	tap_ok(i.imm == 0xffffffff80000000ULL, "fields: imm32 sign-extended");
	env_decode(&i, L64, "83 03 ff");
	tap_ok(i.imm == ~0ULL && i.imm_size == 1, "fields: imm8 sign-extended");
	env_decode(&i, L64, "a1 88 77 66 55 44 33 22 11");
	tap_ok(i.mem && (u64)i.disp == 0x1122334455667788ULL && i.disp_size == 8,
	       "fields: 64-bit moffs");
	env_decode(&i, L64, "f3 0f 6f 03");
	tap_ok(i.rep == 0 && i.mandatory == 0xf3 && i.vlen == 16,
	       "fields: F3 is mandatory, not REP");
	env_decode(&i, L64, "f3 f2 a4");
	tap_ok(i.rep == X86_REP_REPNE, "fields: last of F2/F3 wins");
	env_decode(&i, L64, "f3 66 0f 6f 03");
	tap_ok(i.mandatory == 0xf3 && !strcmp(i.desc->name, "movdqu"),
	       "fields: F3 beats 66 as mandatory prefix");
	env_decode(&i, L64, "c4 41 7d 6f 00");
	tap_ok(i.vex == 3 && i.vex_l && i.reg == 8 && i.base == 8 &&
	       i.vlen == 32, "fields: VEX3 ymm8, [r8]");
	env_decode(&i, L64, "c5 79 6f 03");
	tap_ok(i.vex == 2 && i.reg == 8 && i.vlen == 16, "fields: VEX2 R");
	env_decode(&i, L64, "c4 e1 f9 7e 03");
	tap_ok(i.vex_w && i.vlen == 8 && i.opsize == 8, "fields: VEX.W1 vmovq");
	env_decode(&i, L64, "40 88 23");
	tap_ok(i.rex == 0x40 && i.reg == 4, "fields: REX 40 selects SPL");
	env_decode(&i, L64, "f0 01 03");
	tap_ok(i.lock, "fields: lock");
	env_decode(&i, L64, "0f ba 2b 05");
	tap_ok(i.imm == 5 && i.desc->op == X86_OP_BTS, "fields: bts imm");
}

static void mode_checks(void)
{
	const u64 pe = 1, lma = 1ULL << 10, vm = 1ULL << 17;

	tap_ok(x86_cpu_mode_of(0, 0, 2, false, false) == R &&
	       x86_cpu_mode_of(0, 0, 2, false, true) == R,
	       "mode: CR0.PE=0 is real mode");
	tap_ok(x86_cpu_mode_of(pe, 0, vm | 2, false, false) == R,
	       "mode: virtual-8086 decodes as real mode");
	tap_ok(x86_cpu_mode_of(pe, 0, 2, false, false) == P16 &&
	       x86_cpu_mode_of(pe, 0, 2, false, true) == P32,
	       "mode: protected mode by CS.D");
	tap_ok(x86_cpu_mode_of(pe, lma, 2, true, false) == L64 &&
	       x86_cpu_mode_of(pe, lma, 2, false, true) == P32 &&
	       x86_cpu_mode_of(pe, lma, 2, false, false) == P16,
	       "mode: 64-bit and compatibility mode");
	tap_ok(x86_cpu_mode_of(pe, 0, 2, true, false) == P16,
	       "mode: CS.L ignored without EFER.LMA");
}

void test_decode(void)
{
	unsigned int i;

	mode_checks();
	for (i = 0; i < ARRAY_SIZE(dcases); i++)
		check_case(&dcases[i]);
	field_checks();
}
