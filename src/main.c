/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placeholder: replaced by the CLI entry point */
int main(void)
{
	return 1;
}
